/**
 * NumPy `.npy` files of float32 matrices (format version 1.0, little-endian, C order): a writer
 * that appends rows as they come and patches the row count into the header at the end (the
 * header's space is reserved up front), and a reader for the header and for blocks of rows.
 */

import { npyHeader, parseNpyHeader } from "./_npy_header.ts";

/**
 * The shape of a 2-D float32 `.npy` matrix and where its data starts, as
 * {@link NpyMatrix.header} holds it.
 *
 * @example The header of a matrix just written
 * ```ts
 * import assert from "node:assert/strict";
 * import { type NpyHeader, NpyMatrix, NpyWriter } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const w = await NpyWriter.create(`${dir}/m.npy`, 4);
 * await w.append(new Float32Array(12)); // 3 rows
 * await w.close();
 * const m = await NpyMatrix.open(`${dir}/m.npy`);
 * const header: NpyHeader = m.header;
 * m.close();
 * await Deno.remove(dir, { recursive: true });
 * assert.deepEqual(header, { rows: 3, cols: 4, dataOffset: 128 });
 * ```
 */
export interface NpyHeader {
  /** Rows of the matrix. */
  rows: number;
  /** Values per row. */
  cols: number;
  /** Byte offset of the first value. */
  dataOffset: number;
}

/**
 * Writes a float32 matrix row block by row block, without holding it: the rows go to
 * `path.partial`, and {@link NpyWriter.close} writes the final header and renames the file, so a
 * crashed run never leaves a `.npy` that looks complete. Create one with
 * {@link NpyWriter.create}; {@link NpyWriter.abort} deletes the partial file after a failure.
 *
 * @example Rows appended in pieces, then read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { NpyMatrix, NpyWriter } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const w = await NpyWriter.create(`${dir}/emb.npy`, 3);
 * await w.append(Float32Array.of(1, 2, 3)); // any number of whole rows
 * await w.append(Float32Array.of(4, 5, 6, 7, 8, 9));
 * await assert.rejects(() => w.append(Float32Array.of(1, 2)), RangeError); // not a whole row
 * await w.close(); // the header now says (3, 3)
 * const m = await NpyMatrix.open(`${dir}/emb.npy`);
 * assert.deepEqual([...await m.readRows(1, 2)], [4, 5, 6, 7, 8, 9]);
 * m.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class NpyWriter {
  #file: Deno.FsFile;
  #rows = 0;
  #closed = false;

  private constructor(readonly path: string, readonly cols: number, file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens `path.partial` for writing with `cols` columns. */
  static async create(path: string, cols: number): Promise<NpyWriter> {
    checkLittleEndian();
    if (!Number.isInteger(cols) || cols < 1) {
      throw new RangeError(`NpyWriter: cols must be a positive integer, got ${cols}`);
    }
    const file = await Deno.open(`${path}.partial`, { write: true, create: true, truncate: true });
    await writeAll(file, npyHeader(0, cols));
    return new NpyWriter(path, cols, file);
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Appends whole rows (`values.length` must be a multiple of `cols`). */
  async append(values: Float32Array): Promise<void> {
    if (this.#closed) throw new Error(`${this.path}: append after close`);
    if (values.length % this.cols !== 0) {
      throw new RangeError(
        `${this.path}: ${values.length} values are not whole rows of ${this.cols}`,
      );
    }
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    await writeAll(this.#file, bytes);
    this.#rows += values.length / this.cols;
  }

  /** Writes the header with the final row count and moves the file to `path`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#file.seek(0, Deno.SeekMode.Start);
    await writeAll(this.#file, npyHeader(this.#rows, this.cols));
    this.#file.close();
    await Deno.rename(`${this.path}.partial`, this.path);
  }

  /** Closes and deletes the partial file (after a failure). */
  async abort(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
    await Deno.remove(`${this.path}.partial`).catch(() => {});
  }
}

/**
 * A float32 `.npy` matrix open for reading rows: {@link NpyMatrix.open} checks the header and
 * the file size; {@link NpyMatrix.readRows} reads a range of rows and {@link NpyMatrix.blocks}
 * streams the whole matrix in blocks (the input of `cosineNeighbors`). Close it when done.
 *
 * @example Reading rows and blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { NpyMatrix, NpyWriter } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const w = await NpyWriter.create(`${dir}/emb.npy`, 2);
 * await w.append(Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)); // 5 rows
 * await w.close();
 *
 * const m = await NpyMatrix.open(`${dir}/emb.npy`);
 * assert.deepEqual([m.rows, m.cols], [5, 2]);
 * assert.deepEqual([...await m.readRows(3, 1)], [6, 7]);
 * const starts: number[] = [];
 * for await (const { start, values } of m.blocks(2)) starts.push(start, values.length);
 * assert.deepEqual(starts, [0, 4, 2, 4, 4, 2]); // blocks of 2 rows, then 1
 * m.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class NpyMatrix {
  private constructor(
    readonly path: string,
    readonly header: NpyHeader,
    readonly file: Deno.FsFile,
  ) {}

  /** Opens a file and checks that its size matches its header. */
  static async open(path: string): Promise<NpyMatrix> {
    checkLittleEndian();
    const file = await Deno.open(path, { read: true });
    try {
      const head = new Uint8Array(4096);
      const n = await readFull(file, head);
      const header = parseNpyHeader(head.subarray(0, n), path);
      const size = (await file.stat()).size;
      const want = header.dataOffset + header.rows * header.cols * 4;
      if (size !== want) {
        throw new TypeError(
          `${path}: ${size} bytes, but its header (${header.rows} x ${header.cols} float32) ` +
            `needs ${want}; the file is truncated or was not closed`,
        );
      }
      return new NpyMatrix(path, header, file);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Rows of the matrix. */
  get rows(): number {
    return this.header.rows;
  }

  /** Values per row. */
  get cols(): number {
    return this.header.cols;
  }

  /** `count` rows from row `start`, as one Float32Array (`count * cols` values). */
  async readRows(start: number, count: number, into?: Float32Array): Promise<Float32Array> {
    if (!Number.isInteger(start) || start < 0 || count < 0 || start + count > this.rows) {
      throw new RangeError(
        `${this.path}: rows ${start}..${start + count - 1} outside 0..${this.rows - 1}`,
      );
    }
    const out = into ?? new Float32Array(count * this.cols);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, count * this.cols * 4);
    await this.file.seek(this.header.dataOffset + start * this.cols * 4, Deno.SeekMode.Start);
    const n = await readFull(this.file, bytes);
    if (n !== bytes.length) {
      throw new TypeError(`${this.path}: file ended inside row ${start + n / 4 / this.cols}`);
    }
    return out.subarray(0, count * this.cols);
  }

  /**
   * The whole matrix in blocks of `rowsPerBlock` rows, read in turn into one reused buffer (so
   * memory stays at one block): each `values` is valid until the next block is requested.
   */
  async *blocks(rowsPerBlock = 4096): AsyncGenerator<{ start: number; values: Float32Array }> {
    const buffer = new Float32Array(Math.max(1, rowsPerBlock) * this.cols);
    for (let start = 0; start < this.rows; start += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, this.rows - start);
      yield { start, values: await this.readRows(start, count, buffer) };
    }
  }

  /** Closes the file. */
  close(): void {
    this.file.close();
  }
}

/** Typed arrays use the machine's byte order; the files are little-endian. */
function checkLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error(".npy files are read and written on little-endian machines only");
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

async function readFull(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let off = 0;
  while (off < into.length) {
    const n = await file.read(into.subarray(off));
    if (n === null) break;
    off += n;
  }
  return off;
}
