/** IDX files (MNIST, Fashion-MNIST): header parsing and random access, gzipped or not. */
import { toHex } from "../streams/sha256.ts";
import { DataError } from "./errors.ts";
import type { IndexedDataset } from "./indexed.ts";
import { RandomAccessFile, readMaybeGzip } from "./random_access.ts";
import type { RawImage } from "./sample.ts";

/**
 * The header of an IDX file.
 *
 * @example
 * ```ts
 * const { dims, headerBytes } = parseIdxHeader(bytes, "train-images-idx3-ubyte");
 * ```
 */
export interface IdxHeader {
  /** Dimensions, first one = number of records. */
  dims: number[];
  /** Header size in bytes (data starts here). */
  headerBytes: number;
}

/**
 * Parses an IDX header (`00 00 type ndims`, then `ndims` big-endian uint32 sizes); only
 * unsigned bytes (type 0x08) are supported. Errors are DataErrors naming `where`.
 *
 * @example
 * ```ts
 * parseIdxHeader(bytes, "train-images-idx3-ubyte"); // { dims: [60000, 28, 28], headerBytes: 16 }
 * ```
 */
export function parseIdxHeader(b: Uint8Array, where: string): IdxHeader {
  if (b.length < 4) throw new DataError(where, `not an IDX file: only ${b.length} bytes`);
  if (b[0] !== 0 || b[1] !== 0) {
    const magic = toHex(b.subarray(0, 4));
    throw new DataError(
      where,
      `bad IDX magic number 0x${magic} (expected 0x0000080N)`,
      "is this an IDX file?",
    );
  }
  if (b[2] !== 0x08) {
    throw new DataError(
      where,
      `unsupported IDX data type 0x${b[2].toString(16)}; only unsigned bytes (0x08)`,
    );
  }
  const ndims = b[3];
  if (ndims < 1 || ndims > 4) throw new DataError(where, `bad IDX header: ${ndims} dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (b.length < headerBytes) throw new DataError(where, "truncated IDX header");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => v.getUint32(4 + 4 * i));
  return { dims, headerBytes };
}

/**
 * An IDX file opened for random access: gzipped files are inflated into memory (gzip has
 * no random access); plain files are read record by record from disk.
 *
 * @example
 * ```ts
 * const f = await IdxFile.open("t10k-images-idx3-ubyte.gz");
 * const image0 = await f.record(0); // 784 bytes
 * ```
 */
export class IdxFile {
  private constructor(
    readonly path: string,
    readonly header: IdxHeader,
    readonly recordBytes: number,
    private readonly memory: Uint8Array | undefined,
    private readonly file: RandomAccessFile | undefined,
  ) {}

  /** Number of records. */
  get length(): number {
    return this.header.dims[0];
  }

  /** Opens and validates an IDX file (header and size). */
  static async open(path: string): Promise<IdxFile> {
    const head = await RandomAccessFile.open(path);
    let first: Uint8Array;
    try {
      first = await head.read(0, Math.min(head.size, 2));
    } catch (error) {
      head.close();
      throw error;
    }
    const gz = first[0] === 0x1f && first[1] === 0x8b;
    let memory: Uint8Array | undefined;
    let file: RandomAccessFile | undefined;
    let header: IdxHeader;
    let size: number;
    if (gz) {
      head.close();
      memory = await readMaybeGzip(path);
      header = parseIdxHeader(memory, path);
      size = memory.length;
    } else {
      file = head;
      header = parseIdxHeader(await file.read(0, Math.min(file.size, 20)), path);
      size = file.size;
    }
    const recordBytes = header.dims.slice(1).reduce((a, b) => a * b, 1);
    const expected = header.headerBytes + header.dims[0] * recordBytes;
    if (size !== expected) {
      file?.close();
      throw new DataError(
        path,
        `${size < expected ? "truncated" : "too long"}: header says ${header.dims.join("x")} ` +
          `(${expected} bytes${gz ? " unzipped" : ""}), file has ${size}`,
        "delete the file and fetch it again",
      );
    }
    return new IdxFile(path, header, recordBytes, memory, file);
  }

  /** Record `i` as a fresh buffer. */
  record(i: number): Promise<Uint8Array> {
    if (!(i >= 0 && i < this.length)) {
      throw new RangeError(`${this.path}: record ${i} out of range 0..${this.length - 1}`);
    }
    const at = this.header.headerBytes + i * this.recordBytes;
    if (this.memory) return Promise.resolve(this.memory.slice(at, at + this.recordBytes));
    return this.file!.read(at, this.recordBytes);
  }

  /** Closes the file. */
  close(): void {
    this.file?.close();
  }
}

/**
 * Options of {@link idxDataset}.
 *
 * @example
 * ```ts
 * const opts: IdxDatasetOptions = { images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" };
 * ```
 */
export interface IdxDatasetOptions {
  /** Images file (`N x rows x cols`). */
  images: string;
  /** Labels file (`N`), optional. */
  labels?: string;
  /** Class names by label. */
  classes?: readonly string[];
  /** Key prefix (default: the images file's name). */
  name?: string;
}

/**
 * An indexed dataset over an IDX images file (and labels file): gray `RawImage`s keyed
 * `name[i]`.
 *
 * @example
 * ```ts
 * const ds = await idxDataset({
 *   images: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
 *   labels: "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz",
 * });
 * const { width, height, data, label } = await ds.get(0);
 * ```
 */
export async function idxDataset(options: IdxDatasetOptions): Promise<IndexedDataset<RawImage>> {
  const images = await IdxFile.open(options.images);
  const [n, rows, cols] = images.header.dims;
  if (images.header.dims.length !== 3) {
    images.close();
    throw new DataError(
      options.images,
      `expected 3 dimensions (N x rows x cols), found ${images.header.dims.join("x")}`,
    );
  }
  let labels: Uint8Array | undefined;
  if (options.labels) {
    const lf = await IdxFile.open(options.labels);
    lf.close();
    if (lf.header.dims.length !== 1 || lf.length !== n) {
      images.close();
      throw new DataError(
        options.labels,
        `labels shape ${lf.header.dims.join("x")} does not match ${n} images in ${options.images}`,
      );
    }
    labels = await readMaybeGzip(options.labels);
    labels = labels.subarray(lf.header.headerBytes);
  }
  const prefix = options.name ?? options.images.split("/").pop()!;
  return {
    name: options.images,
    length: n,
    classes: options.classes,
    async get(i: number): Promise<RawImage> {
      const data = await images.record(i);
      const img: RawImage = {
        key: `${prefix}[${i}]`,
        width: cols,
        height: rows,
        channels: 1,
        data,
      };
      if (labels) img.label = labels[i];
      return img;
    },
    close: () => images.close(),
  };
}
