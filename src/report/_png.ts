/** A minimal PNG encoder (8-bit gray, RGB or RGBA; no filtering) on top of `node:zlib`. */
import { deflateSync } from "node:zlib";
import { concatArrays } from "../streams/_concat.ts";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (as in PNG and zip) of `bytes`.
 */
export function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * One PNG chunk: length, type, data and the CRC of type + data.
 */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes HWC 8-bit pixels (`channels` 1, 3 or 4) as a PNG file.
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Uint8Array {
  const row = width * channels;
  if (pixels.length < row * height) {
    throw new TypeError(
      `encodePng: expected ${
        row * height
      } bytes for ${width}x${height}x${channels}, got ${pixels.length}; pass HWC 8-bit pixels of that size`,
    );
  }
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (row + 1)] = 0; // filter type: none
    raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6; // colour type
  return concatArrays([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", new Uint8Array(deflateSync(raw))),
    pngChunk("IEND", new Uint8Array(0)),
  ], Uint8Array);
}

/**
 * A `data:image/png;base64,...` URL of the pixels, for embedding in HTML.
 */
export function pngDataUrl(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): string {
  const png = encodePng(pixels, width, height, channels);
  let bin = "";
  for (let i = 0; i < png.length; i += 0x8000) {
    bin += String.fromCharCode(...png.subarray(i, i + 0x8000));
  }
  return `data:image/png;base64,${btoa(bin)}`;
}

/**
 * Turns a normalized view (`(x - mean) / std`, HWC float) back into 8-bit pixels, clamped;
 * `mean`/`std` are per channel on the 0..1 scale (one value applies to every channel). This
 * makes the 8-bit pixels of a `ViewPairImage` from the augmented views a batch holds.
 *
 * @param view HWC floats, normalized.
 * @param channels Channels per pixel.
 * @param mean Per-channel mean on the 0..1 scale (or one value for all).
 * @param std Per-channel standard deviation (or one value for all).
 * @returns 8-bit pixels, same layout.
 */
export function denormalizeView(
  view: Float32Array,
  channels: number,
  mean: readonly number[],
  std: readonly number[],
): Uint8Array {
  const out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i++) {
    const c = i % channels;
    const m = mean[mean.length === 1 ? 0 : c], s = std[std.length === 1 ? 0 : c];
    out[i] = Math.max(0, Math.min(255, Math.round((view[i] * s + m) * 255)));
  }
  return out;
}
