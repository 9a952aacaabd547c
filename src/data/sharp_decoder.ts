/** An optional decoder on `sharp` (libvips, native): about 3.6x faster on JPEG here. */
import type { ImageDecoder, Pixels } from "./decoder.ts";
import type { ImageFormat } from "./image_format.ts";

// deno-lint-ignore no-explicit-any
type SharpModule = any;

/**
 * Loads `sharp` and returns a decoder on it; throws an Error naming the fix when it is not
 * installed.
 *
 * @example
 * ```ts
 * const decoder = await createSharpDecoder();
 * ```
 */
export async function createSharpDecoder(): Promise<ImageDecoder> {
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
  return {
    name: "sharp",
    async decode(bytes: Uint8Array, _format: ImageFormat, gray: boolean): Promise<Pixels> {
      let img = sharp(bytes, { failOn: "error", pages: 1 });
      img = gray ? img.toColourspace("b-w") : img.removeAlpha().toColourspace("srgb");
      const { data, info } = await img.raw({ depth: "uchar" }).toBuffer({
        resolveWithObject: true,
      });
      let channels = info.channels as number;
      let out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      if (gray && channels !== 1) {
        // A gray file that libvips keeps with alpha: take the gray plane.
        const n = info.width * info.height;
        const g = new Uint8Array(n);
        for (let i = 0; i < n; i++) g[i] = out[i * channels];
        out = g;
        channels = 1;
      }
      if (!gray && channels !== 3) throw new Error(`sharp returned ${channels} channels`);
      return { width: info.width, height: info.height, channels: gray ? 1 : 3, data: out };
    },
  };
}
