/** IDX files (MNIST, Fashion-MNIST): header parsing and random access, gzipped or not. */
import { toHex } from "../streams/sha256.ts";
import { DataError } from "./errors.ts";
import { ByteReader } from "./_byte_reader.ts";
import { inflateStream } from "./_inflate.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./limits.ts";
import { RandomAccessFile } from "./_random_access.ts";

/**
 * The header of an IDX file.
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
 * no random access) as a stream, the header first, so the inflated size is checked against
 * the header and the `maxFileBytes` limit before and while inflating (a gzip bomb fails
 * after at most that many bytes); plain files are read record by record from disk.
 */
export class IdxFile {
  private constructor(
    readonly path: string,
    readonly header: IdxHeader,
    readonly recordBytes: number,
    /** A gzipped file's records (the bytes after the header). */
    private readonly memory: Uint8Array | undefined,
    private readonly file: RandomAccessFile | undefined,
  ) {}

  /** Number of records. */
  get length(): number {
    return this.header.dims[0];
  }

  /**
   * Opens and validates an IDX file (header and size). A gzipped file whose header says
   * it holds more than `maxFileBytes` unzipped (default {@link DEFAULT_MAX_FILE_BYTES})
   * is refused before it is inflated.
   */
  static async open(path: string, options: { maxFileBytes?: number } = {}): Promise<IdxFile> {
    const head = await RandomAccessFile.open(path);
    let first: Uint8Array;
    try {
      first = await head.read(0, Math.min(head.size, 2));
    } catch (error) {
      head.close();
      throw error;
    }
    if (first[0] === 0x1f && first[1] === 0x8b) {
      head.close();
      const { header, records } = await inflateIdx(
        path,
        options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      );
      return new IdxFile(path, header, recordBytesOf(header), records, undefined);
    }
    const file = head;
    const header = parseIdxHeader(await file.read(0, Math.min(file.size, 20)), path);
    const recordBytes = recordBytesOf(header);
    const expected = header.headerBytes + header.dims[0] * recordBytes;
    if (file.size !== expected) {
      file.close();
      throw new DataError(
        path,
        `${file.size < expected ? "truncated" : "too long"}: header says ` +
          `${header.dims.join("x")} (${expected} bytes), file has ${file.size}`,
        "delete the file and fetch it again",
      );
    }
    return new IdxFile(path, header, recordBytes, undefined, file);
  }

  /** Record `i` as a fresh buffer. */
  record(i: number): Promise<Uint8Array> {
    if (!(i >= 0 && i < this.length)) {
      throw new RangeError(`${this.path}: record ${i} out of range 0..${this.length - 1}`);
    }
    const at = i * this.recordBytes;
    if (this.memory) return Promise.resolve(this.memory.slice(at, at + this.recordBytes));
    return this.file!.read(this.header.headerBytes + at, this.recordBytes);
  }

  /** All records, one after another (the file after its header). */
  records(): Promise<Uint8Array> {
    if (this.memory) return Promise.resolve(this.memory);
    return this.file!.read(this.header.headerBytes, this.length * this.recordBytes);
  }

  /** Closes the file. */
  close(): void {
    this.file?.close();
  }
}

function recordBytesOf(header: IdxHeader): number {
  return header.dims.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Inflates a gzipped IDX file as a stream: header first, then exactly the records it
 * announces (refused up front when over `maxFileBytes`), then one byte more to find a
 * file that is too long; nothing past that is inflated.
 */
async function inflateIdx(
  path: string,
  maxFileBytes: number,
): Promise<{ header: IdxHeader; records: Uint8Array }> {
  const file = await Deno.open(path, { read: true });
  const reader = new ByteReader(inflateStream(file.readable, "gzip"));
  try {
    const start = await reader.read(4);
    const dims = start.length === 4 && start[0] === 0 && start[1] === 0 && start[3] <= 4
      ? await reader.read(4 * start[3])
      : new Uint8Array(0);
    const head = new Uint8Array(start.length + dims.length);
    head.set(start);
    head.set(dims, start.length);
    const header = parseIdxHeader(head, path);
    const size = header.dims[0] * recordBytesOf(header);
    const total = header.headerBytes + size;
    const says = `header says ${header.dims.join("x")} (${total} bytes unzipped)`;
    if (total > maxFileBytes) {
      throw new DataError(
        path,
        `${says}, over the limit of ${maxFileBytes} bytes (data.maxFileBytes); refused ` +
          `before inflating`,
        "raise data.maxFileBytes if the file is genuine",
      );
    }
    const records = await reader.read(size);
    if (records.length < size) {
      throw new DataError(
        path,
        `truncated: ${says}, file has ${header.headerBytes + records.length}`,
        "delete the file and fetch it again",
      );
    }
    if ((await reader.read(1)).length > 0) {
      throw new DataError(
        path,
        `too long: ${says}, the file holds more (inflating stopped there)`,
        "delete the file and fetch it again",
      );
    }
    return { header, records };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(
      path,
      `corrupt or truncated gzip data (${(error as Error).message})`,
      "delete the file and fetch it again",
    );
  } finally {
    await reader.cancel().catch(() => {});
  }
}
