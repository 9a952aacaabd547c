/**
 * The header of a `.npy` file (private to the package): the 128-byte version-1.0 header
 * `NpyWriter` writes, and the parser `NpyMatrix` reads any version's header with.
 */
import type { NpyHeader } from "./npy.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bytes reserved for magic, version, length and header text (a multiple of 64, as NumPy pads). */
const HEADER_BYTES = 128;

/**
 * The 128-byte header of a `rows x cols` little-endian float32 matrix in C order.
 *
 * @example A header that parses back to its shape
 * ```ts
 * import assert from "node:assert/strict";
 * import { npyHeader, parseNpyHeader } from "./_npy_header.ts";
 *
 * const bytes = npyHeader(3, 4); // then 12 float32 values
 * assert.equal(bytes.length, 128);
 * assert.deepEqual(parseNpyHeader(bytes, "x.npy"), { rows: 3, cols: 4, dataOffset: 128 });
 * ```
 */
export function npyHeader(rows: number, cols: number): Uint8Array {
  for (const [what, v] of [["rows", rows], ["cols", cols]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`npy header: ${what} must be a non-negative integer, got ${v}`);
    }
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const textBytes = HEADER_BYTES - 10;
  if (dict.length + 1 > textBytes) {
    throw new RangeError(`npy header: shape (${rows}, ${cols}) does not fit ${HEADER_BYTES} bytes`);
  }
  const out = new Uint8Array(HEADER_BYTES);
  out.set(MAGIC);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, textBytes, true);
  const text = dict.padEnd(textBytes - 1, " ") + "\n";
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/**
 * Parses the header of a `.npy` file (versions 1, 2 and 3); only 2-D little-endian float32 in
 * C order is accepted. `where` names the file in errors.
 *
 * @example A float64 file is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { npyHeader, parseNpyHeader } from "./_npy_header.ts";
 *
 * const f64 = npyHeader(2, 2);
 * f64.set(new TextEncoder().encode("<f8"), 21); // the descr value starts at byte 21
 * assert.throws(() => parseNpyHeader(f64, "f64.npy"), { name: "TypeError", message: /'<f8'/ });
 * ```
 */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TypeError(`${where}: not a NumPy .npy file (bad magic bytes)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let len: number, start: number;
  if (major === 1) [len, start] = [view.getUint16(8, true), 10];
  else if (major === 2 || major === 3) [len, start] = [view.getUint32(8, true), 12];
  else throw new TypeError(`${where}: unsupported .npy format version ${major}`);
  if (bytes.length < start + len) {
    throw new TypeError(
      `${where}: truncated .npy header (${bytes.length} of ${start + len} bytes)`,
    );
  }
  const text = new TextDecoder().decode(bytes.subarray(start, start + len));
  const descr = text.match(/'descr'\s*:\s*'([^']*)'/)?.[1];
  const fortran = text.match(/'fortran_order'\s*:\s*(True|False)/)?.[1];
  const shape = text.match(/'shape'\s*:\s*\(([^)]*)\)/)?.[1];
  if (descr !== "<f4") {
    throw new TypeError(
      `${where}: holds '${descr}' values; expected little-endian float32 ('<f4')`,
    );
  }
  if (fortran !== "False") throw new TypeError(`${where}: Fortran order is not supported`);
  const dims = (shape ?? "").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.length !== 2 || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new TypeError(`${where}: shape (${shape}) is not a 2-D matrix`);
  }
  return { rows: dims[0], cols: dims[1], dataOffset: start + len };
}
