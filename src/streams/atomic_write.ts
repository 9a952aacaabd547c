/**
 * Writing files so that a failure leaves nothing half-written: {@link writeFileAtomic} writes
 * a temporary file beside the target, syncs it and renames it over the target (a reader, or a
 * resume after a kill, sees the old file or the new one, never a part of one); on any failure (a
 * full disk, a permission) it removes the temporary file. Every write error, atomic or an
 * append, becomes a {@link FileWriteError} that names the file and says what to do.
 */
import { atomicTempPath } from "./_atomic_temp_path.ts";

/**
 * A failed write, naming the file (and what it is) and, for a full disk, what to do.
 *
 * @example A write into a missing folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileWriteError, writeFileAtomic } from "@simclr/streams/streams";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/no/such/folder/eval.json`;
 * try {
 *   await writeFileAtomic(path, "{}", "evaluation results");
 *   assert.fail("the write should fail");
 * } catch (err) {
 *   assert.ok(err instanceof FileWriteError);
 *   assert.equal(err.path, path);
 *   assert.equal(err.code, "ENOENT");
 *   assert.match(err.message, /^cannot write evaluation results .*eval\.json/);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileWriteError extends Error {
  /** The OS error code (`ENOSPC` for a full disk), when there is one. */
  readonly code: string | undefined;

  /**
   * An error naming `path`, with `cause`'s message and, for a full disk, what to do.
   *
   * @param path The file that could not be written.
   * @param cause The underlying error (its `code`, e.g. `ENOSPC`, is kept).
   * @param what What the file is, for the message (e.g. "checkpoint").
   */
  constructor(readonly path: string, cause: unknown, what?: string) {
    const code = (cause as { code?: unknown })?.code;
    const why = cause instanceof Error ? cause.message : String(cause);
    const hint = code === "ENOSPC" || code === "EDQUOT"
      ? `: the disk (or quota) holding ${dirOf(path)} is full; free space there and run again`
      : "";
    super(`cannot write ${what ? `${what} ` : ""}${path}: ${why}${hint}`, { cause });
    this.name = "FileWriteError";
    this.code = typeof code === "string" ? code : undefined;
  }
}

/**
 * Writes `data` to `path` atomically: `<path>.<pid>.tmp`, fsync, rename. On failure the
 * temporary file is removed and a {@link FileWriteError} naming `path` (and `what`, e.g.
 * "checkpoint") is thrown; the old file at `path`, if any, is untouched.
 *
 * @param path The file to write (its folder must exist).
 * @param data Bytes, or text written as UTF-8.
 * @param what What the file is, for the error message (e.g. "checkpoint").
 * @throws {FileWriteError} When any step fails; `path` is then as it was.
 *
 * @example Replacing a file, leaving no temporary file behind
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "@simclr/streams/streams";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/eval.json`, '{"top1": 0.5}');
 * await writeFileAtomic(`${dir}/eval.json`, JSON.stringify({ top1: 0.75 }), "evaluation results");
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/eval.json`)), { top1: 0.75 });
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["eval.json"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  what?: string,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = atomicTempPath(path);
  try {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new FileWriteError(path, err, what);
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : i === 0 ? "/" : ".";
}
