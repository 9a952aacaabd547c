/** An optional decoder on `sharp` (libvips, native): about 3.6x faster on JPEG here. */
import type { DecodedPixels, ImageDecoder, ImageHeader } from "./decoder.ts";
import { DEFAULT_MAX_PIXELS } from "./limits.ts";

// deno-lint-ignore no-explicit-any
type SharpModule = any;

/**
 * Loads `sharp` and returns a decoder on it; throws an Error naming the fix when it is not
 * installed. Like the imagescript decoder it ignores embedded ICC profiles (no conversion
 * to sRGB) and returns 16-bit files as 16-bit samples, so both give the same pixels.
 * `maxPixels` is also passed to libvips as `limitInputPixels`.
 */
export async function createSharpDecoder(
  options: { maxPixels?: number } = {},
): Promise<ImageDecoder> {
  let sharp: SharpModule;
  try {
    sharp = (await import("sharp")).default;
  } catch (error) {
    throw new Error(
      `the sharp decoder needs the npm package 'sharp', which did not load ` +
        `(${(error as Error).message}). Install it with 'deno install' (deno.json maps ` +
        `"sharp": "npm:sharp@0.35.5"), or use the 'imagescript' decoder`,
    );
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  return {
    name: "sharp",
    maxPixels,
    async decode(bytes: Uint8Array, header: ImageHeader): Promise<DecodedPixels> {
      const { gray } = header;
      const wide = header.depth === 16;
      let img = sharp(bytes, {
        failOn: "error",
        pages: 1,
        ignoreIcc: true,
        limitInputPixels: maxPixels,
      });
      img = img.removeAlpha().toColourspace(
        gray ? (wide ? "grey16" : "b-w") : (wide ? "rgb16" : "srgb"),
      );
      const { data, info } = await img.raw({ depth: wide ? "ushort" : "uchar" }).toBuffer({
        resolveWithObject: true,
      });
      const channels = info.channels as number;
      const n = info.width * info.height;
      const out = wide
        ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice()
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      if (out.length !== n * channels) throw new Error(`sharp returned ${out.length} samples`);
      const want = gray ? 1 : 3;
      if (channels === want) {
        return { width: info.width, height: info.height, channels: want, data: out };
      }
      if (!gray) throw new Error(`sharp returned ${channels} channels`);
      // A gray file that libvips keeps with alpha: take the gray plane.
      const g = wide ? new Uint16Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) g[i] = out[i * channels];
      return { width: info.width, height: info.height, channels: 1, data: g };
    },
  };
}
