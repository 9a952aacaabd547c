/**
 * A reader for 16-bit PNG files (gray, gray + alpha, RGB, RGBA; plain or Adam7-interlaced)
 * that keeps all 16 bits: imagescript keeps only the high byte of each sample, so the
 * project reads these files itself and reduces them to 8 bits by one rule for both
 * decoders (see `reduceTo8Bit`).
 */
import { inflatePrefix } from "./_inflate.ts";
import type { TiffPixels } from "./_tiff.ts";

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };
// Adam7 passes: x start, y start, x step, y step.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Decodes a 16-bit PNG into 16-bit samples, HWC: one channel for gray (alpha dropped), RGB
 * for colour. Throws an Error on anything else (other depths, palette) or on broken data.
 */
export async function decodePng16(b: Uint8Array): Promise<TiffPixels> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 33 || view.getUint32(12) !== 0x49484452) throw new Error("PNG without IHDR");
  const width = view.getUint32(16), height = view.getUint32(20);
  const depth = b[24], colorType = b[25], interlace = b[28];
  const spp = CHANNELS[colorType];
  if (depth !== 16 || !spp) {
    throw new Error(`not a 16-bit gray or colour PNG (depth ${depth}, colour type ${colorType})`);
  }
  if (width === 0 || height === 0) throw new Error("PNG has zero width or height");
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let p = 8; p + 8 <= b.length;) {
    const len = view.getUint32(p), type = view.getUint32(p + 4);
    if (type === 0x49444154) { // IDAT
      parts.push(b.subarray(p + 8, p + 8 + len));
      total += len;
    }
    if (type === 0x49454e44) break; // IEND
    p += 12 + len;
  }
  const idat = new Uint8Array(total);
  let at = 0;
  for (const part of parts) (idat.set(part, at), at += part.length);
  const bpp = 2 * spp; // bytes per pixel, for the filters
  const passes = interlace === 1 ? ADAM7 : [[0, 0, 1, 1]];
  const sizes = passes.map(([x0, y0, dx, dy]) => ({
    w: Math.ceil((width - x0) / dx),
    h: Math.ceil((height - y0) / dy),
  }));
  const expected = sizes.reduce((s, { w, h }) => s + (w > 0 ? h * (1 + w * bpp) : 0), 0);
  const raw = await inflatePrefix(idat, "deflate", expected);
  if (raw.length < expected) {
    throw new Error(`short image data: ${raw.length} of ${expected} bytes`);
  }
  const keep = spp <= 2 ? 1 : 3; // alpha dropped
  const data = new Uint16Array(width * height * keep);
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], k) => {
    const { w, h } = sizes[k];
    if (w <= 0 || h <= 0) return;
    const rowBytes = w * bpp;
    let prior: Uint8Array = new Uint8Array(rowBytes);
    for (let y = 0; y < h; y++) {
      const filter = raw[offset];
      const row = raw.subarray(offset + 1, offset + 1 + rowBytes);
      offset += 1 + rowBytes;
      unfilter(filter, row, prior, bpp);
      for (let x = 0; x < w; x++) {
        const out = ((y0 + y * dy) * width + x0 + x * dx) * keep;
        for (let c = 0; c < keep; c++) {
          const i = x * bpp + 2 * c;
          data[out + c] = (row[i] << 8) | row[i + 1];
        }
      }
      prior = row;
    }
  });
  return { width, height, channels: keep as 1 | 3, data };
}

/** Undoes a PNG row filter in place (`prior` is the previous row, unfiltered). */
function unfilter(filter: number, row: Uint8Array, prior: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) row[i] += row[i - bpp];
      return;
    case 2:
      for (let i = 0; i < n; i++) row[i] += prior[i];
      return;
    case 3:
      for (let i = 0; i < n; i++) row[i] += ((i >= bpp ? row[i - bpp] : 0) + prior[i]) >> 1;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        row[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      return;
    default:
      throw new Error(`bad PNG row filter ${filter}`);
  }
}
