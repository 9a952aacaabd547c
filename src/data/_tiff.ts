/**
 * A baseline TIFF reader (imagescript 1.3.1's TIFF decoder fails on every file we tried).
 * Strips, chunky or single-plane; 8- or 16-bit samples; uncompressed, PackBits, LZW and
 * Deflate, with or without the horizontal predictor; gray, RGB(A) and palette. The first
 * image of the file is read.
 */
import { inflatePrefix } from "./_inflate.ts";

/**
 * Decoded TIFF pixels, HWC, gray stays one channel, colour is RGB (alpha dropped), samples at
 * the file's depth.
 */
export interface TiffPixels {
  width: number;
  height: number;
  channels: 1 | 3;
  /** 8-bit samples, or 16-bit ones for a 16-bit gray or RGB file. */
  data: Uint8Array | Uint16Array;
}

/**
 * The tags of a TIFF file's first image (IFD), as arrays of numbers (byte, ASCII, short and
 * long fields; rationals and other types are left out). Throws an Error when an offset
 * points past the end of the file.
 */
export function tiffTags(b: Uint8Array): Map<number, number[]> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (p: number) => (need(b, p, 2, "field"), view.getUint16(p, le));
  const u32 = (p: number) => (need(b, p, 4, "field"), view.getUint32(p, le));
  const ifd = u32(4);
  const count = u16(ifd);
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e), type = u16(e + 2), n = u32(e + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 1 || type === 2 || type === 7 ? 1 : 0;
    if (size === 0) continue; // rationals and others: not needed
    const at = n * size <= 4 ? e + 8 : u32(e + 8);
    need(b, at, n * size, `tag ${tag}`);
    const values: number[] = [];
    for (let k = 0; k < n; k++) {
      values.push(size === 1 ? b[at + k] : size === 2 ? u16(at + 2 * k) : u32(at + 4 * k));
    }
    tags.set(tag, values);
  }
  return tags;
}

function need(b: Uint8Array, p: number, n: number, what: string): void {
  if (p < 0 || p + n > b.length) throw new Error(`truncated TIFF: ${what} at ${p} past the end`);
}

/**
 * Decodes a TIFF file; throws an Error saying what is unsupported or broken. 16-bit files
 * give 16-bit samples (`Uint16Array`), in the file's byte order read as numbers.
 */
export async function decodeTiff(b: Uint8Array): Promise<TiffPixels> {
  const le = b[0] === 0x49;
  const tags = tiffTags(b);
  const one = (tag: number, fallback?: number) => {
    const v = tags.get(tag)?.[0] ?? fallback;
    if (v === undefined) throw new Error(`TIFF lacks required tag ${tag}`);
    return v;
  };
  const width = one(256), height = one(257);
  const spp = one(277, 1);
  const bits = tags.get(258)?.[0] ?? 1;
  const compression = one(259, 1);
  const photometric = one(262);
  const predictor = one(317, 1);
  if (tags.has(322)) throw new Error("unsupported TIFF: tiled layout");
  if (spp > 1 && one(284, 1) !== 1) throw new Error("unsupported TIFF: planar configuration 2");
  if (bits !== 8 && bits !== 16) throw new Error(`unsupported TIFF: ${bits}-bit samples`);
  if (width === 0 || height === 0) throw new Error("TIFF has zero width or height");
  const offsets = tags.get(273) ?? [];
  const counts = tags.get(279) ?? [];
  const rowsPerStrip = one(278, height);
  const bps = bits / 8;
  const rowBytes = width * spp * bps;
  const raw = new Uint8Array(rowBytes * height);
  let out = 0;
  for (let s = 0; s < offsets.length && out < raw.length; s++) {
    need(b, offsets[s], counts[s] ?? 0, `strip ${s}`);
    const src = b.subarray(offsets[s], offsets[s] + (counts[s] ?? 0));
    const rows = Math.min(rowsPerStrip, height - out / rowBytes);
    const expected = rows * rowBytes;
    const strip = await decompress(src, compression, expected);
    if (strip.length < expected) throw new Error(`truncated TIFF: strip ${s} is short`);
    raw.set(strip.subarray(0, expected), out);
    out += expected;
  }
  if (out < raw.length) throw new Error("truncated TIFF: strips hold fewer rows than the height");
  // Samples at the file's depth, undoing the predictor.
  const n = width * height * spp;
  let px: Uint8Array | Uint16Array;
  if (bps === 1) px = raw;
  else {
    px = new Uint16Array(n);
    const rv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) px[i] = rv.getUint16(2 * i, le);
  }
  if (predictor === 2) undoPredictor(px, width, height, spp);
  const pixels = width * height;
  const like = (k: number) => bps === 1 ? new Uint8Array(k) : new Uint16Array(k);
  if (photometric === 0 || photometric === 1) {
    const data = like(pixels);
    const white = bps === 1 ? 0xff : 0xffff;
    for (let i = 0; i < pixels; i++) {
      data[i] = photometric === 0 ? white - px[i * spp] : px[i * spp];
    }
    return { width, height, channels: 1, data };
  }
  if (photometric === 2) {
    if (spp < 3) throw new Error(`TIFF RGB with ${spp} samples per pixel`);
    const data = like(pixels * 3);
    for (let i = 0; i < pixels; i++) {
      data[3 * i] = px[i * spp];
      data[3 * i + 1] = px[i * spp + 1];
      data[3 * i + 2] = px[i * spp + 2];
    }
    return { width, height, channels: 3, data };
  }
  if (photometric === 3) {
    // The colour map holds 16-bit values whatever the index depth; like libvips, take their
    // high byte (writers store c * 257, for which this is c).
    const map = tags.get(320);
    const size = 1 << bits;
    if (!map || map.length < 3 * size) throw new Error("TIFF palette image without a colour map");
    const data = new Uint8Array(pixels * 3);
    for (let i = 0; i < pixels; i++) {
      const v = px[i * spp];
      data[3 * i] = map[v] >> 8;
      data[3 * i + 1] = map[size + v] >> 8;
      data[3 * i + 2] = map[2 * size + v] >> 8;
    }
    return { width, height, channels: 3, data };
  }
  throw new Error(`unsupported TIFF photometric interpretation ${photometric}`);
}

function undoPredictor(a: Uint8Array | Uint16Array, width: number, height: number, spp: number) {
  const mask = a instanceof Uint8Array ? 0xff : 0xffff;
  for (let y = 0; y < height; y++) {
    const row = y * width * spp;
    for (let i = spp; i < width * spp; i++) a[row + i] = (a[row + i] + a[row + i - spp]) & mask;
  }
}

async function decompress(src: Uint8Array, compression: number, expected: number) {
  switch (compression) {
    case 1:
      return src;
    case 32773:
      return unpackBits(src, expected);
    case 5:
      return lzw(src, expected);
    case 8:
    case 32946: {
      try {
        return await inflatePrefix(src, "deflate", expected);
      } catch (error) {
        throw new Error(`corrupt TIFF deflate data: ${(error as Error).message}`);
      }
    }
    default:
      throw new Error(`unsupported TIFF compression ${compression}`);
  }
}

function unpackBits(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0, o = 0;
  while (i < src.length && o < expected) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      out.set(src.subarray(i, i + n + 1), o);
      i += n + 1;
      o += n + 1;
    } else if (n !== -128) {
      out.fill(src[i++], o, Math.min(expected, o + 1 - n));
      o += 1 - n;
    }
  }
  return out.subarray(0, Math.min(o, expected));
}

function lzw(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let o = 0;
  let bit = 0;
  const totalBits = src.length * 8;
  const read = (w: number) => {
    if (bit + w > totalBits) return 257;
    let code = 0;
    for (let k = 0; k < w; k++, bit++) {
      code = (code << 1) | ((src[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    return code;
  };
  let table: Uint8Array[] = [];
  const reset = () => {
    table = [];
    for (let i = 0; i < 256; i++) table.push(Uint8Array.of(i));
    table.push(new Uint8Array(0), new Uint8Array(0));
  };
  reset();
  let width = 9;
  let prev: Uint8Array | undefined;
  while (o < expected) {
    const code = read(width);
    if (code === 257) break;
    if (code === 256) {
      reset();
      width = 9;
      prev = undefined;
      continue;
    }
    let entry: Uint8Array;
    if (code < table.length) entry = table[code];
    else if (code === table.length && prev) {
      entry = new Uint8Array(prev.length + 1);
      entry.set(prev);
      entry[prev.length] = prev[0];
    } else throw new Error("corrupt TIFF LZW data");
    out.set(entry.subarray(0, expected - o), o);
    o += entry.length;
    if (prev) {
      const added = new Uint8Array(prev.length + 1);
      added.set(prev);
      added[prev.length] = entry[0];
      table.push(added);
    }
    prev = entry;
    if (table.length + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, Math.min(o, expected));
}
