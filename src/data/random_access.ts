/** Reading byte ranges of a file by offset (seek + read, one at a time per file). */
import { DataError } from "./errors.ts";

/**
 * A file opened for reads at offsets. Reads are serialised (seek and read are one step),
 * and each returns a fresh buffer it owns (safe to transfer).
 *
 * @example
 * ```ts
 * const f = await RandomAccessFile.open("data_batch_1.bin");
 * const record = await f.read(3073 * 5, 3073);
 * f.close();
 * ```
 */
export class RandomAccessFile {
  #file: Deno.FsFile;
  #lock: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string, file: Deno.FsFile, readonly size: number) {
    this.#file = file;
  }

  /** Opens `path`; a missing file is a DataError naming it. */
  static async open(path: string): Promise<RandomAccessFile> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw new DataError(path, `cannot open: ${(error as Error).message}`);
    }
    const { size } = await file.stat();
    return new RandomAccessFile(path, file, size);
  }

  /** Reads exactly `length` bytes at `offset`; a short read is a DataError. */
  read(offset: number, length: number): Promise<Uint8Array> {
    const run = this.#lock.then(async () => {
      const out = new Uint8Array(length);
      await this.#file.seek(offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < length) {
        const n = await this.#file.read(out.subarray(got));
        if (n === null) {
          throw new DataError(
            this.path,
            `truncated: wanted ${length} bytes at offset ${offset}, the file ends after ${got}`,
          );
        }
        got += n;
      }
      return out;
    });
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Reads a whole file, gunzipping it when it starts with the gzip magic bytes.
 *
 * @example
 * ```ts
 * const bytes = await readMaybeGzip("train-images-idx3-ubyte.gz");
 * ```
 */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new DataError(path, `cannot open: ${(error as Error).message}`);
  }
  const head = new Uint8Array(2);
  const n = await file.read(head);
  await file.seek(0, Deno.SeekMode.Start);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      const stream = file.readable.pipeThrough(new DecompressionStream("gzip"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (error) {
      throw new DataError(
        path,
        `corrupt or truncated gzip data (${(error as Error).message})`,
        "delete the file and fetch it again",
      );
    }
  }
  try {
    return new Uint8Array(await new Response(file.readable).arrayBuffer());
  } catch (error) {
    throw new DataError(path, `cannot read: ${(error as Error).message}`);
  }
}
