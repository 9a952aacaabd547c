/**
 * Writing files so that a failure leaves nothing half-written: {@link writeFileAtomic} writes
 * a temporary file beside the target, syncs it and renames it over the target (a reader, or a
 * resume after a kill, sees the old file or the new one, never a part of one); on any failure (a
 * full disk, a permission) it removes the temporary file. Every write error, atomic or an
 * append, becomes a {@link FileWriteError} that names the file and says what to do.
 */

/**
 * A failed write, naming the file (and what it is) and, for a full disk, what to do.
 *
 * @example
 * ```ts
 * try { await writeFileAtomic("runs/x/eval.json", text); }
 * catch (err) { if (err instanceof FileWriteError) console.error(err.path, err.code); }
 * ```
 */
export class FileWriteError extends Error {
  /** The OS error code (`ENOSPC` for a full disk), when there is one. */
  readonly code: string | undefined;

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
 * @example
 * ```ts
 * await writeFileAtomic(`${runDir}/eval.json`, JSON.stringify(scores), "evaluation results");
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

/** The temporary name {@link writeFileAtomic} writes `path` under (this process's). */
export function atomicTempPath(path: string): string {
  return `${path}.${Deno.pid}.tmp`;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : i === 0 ? "/" : ".";
}
