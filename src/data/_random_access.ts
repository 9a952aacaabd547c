/** Reading byte ranges of a file by offset (seek + read, one at a time per file). */
import { DataError } from "./errors.ts";

/**
 * A file opened for reads at offsets. Each read is one synchronous seek + read (small
 * records from the page cache take microseconds; this is about 3x faster than the async
 * calls), and returns a fresh buffer it owns (safe to transfer). After `close()`, the next
 * read reopens the file, so a dataset can be read again after a stream closed it.
 */
export class RandomAccessFile {
  #file: Deno.FsFile | undefined;

  private constructor(readonly path: string, file: Deno.FsFile, readonly size: number) {
    this.#file = file;
  }

  /** Opens `path`; a missing file is a DataError naming it. */
  static async open(path: string): Promise<RandomAccessFile> {
    const file = openOrThrow(path);
    const { size } = await file.stat();
    return new RandomAccessFile(path, file, size);
  }

  /** Reads exactly `length` bytes at `offset`; a short read is a DataError. */
  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(offset, length));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Like {@link RandomAccessFile.read}, synchronously. */
  readSync(offset: number, length: number): Uint8Array {
    const file = this.#file ??= openOrThrow(this.path);
    const out = new Uint8Array(length);
    file.seekSync(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < length) {
      const n = file.readSync(out.subarray(got));
      if (n === null || n === 0) {
        throw new DataError(
          this.path,
          `truncated: wanted ${length} bytes at offset ${offset}, the file ends after ${got}`,
        );
      }
      got += n;
    }
    return out;
  }

  /** Closes the file (a later read reopens it). */
  close(): void {
    try {
      this.#file?.close();
    } catch {
      // already closed
    }
    this.#file = undefined;
  }
}

function openOrThrow(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { read: true });
  } catch (error) {
    throw new DataError(path, `cannot open: ${(error as Error).message}`);
  }
}
