/**
 * JSON Lines files a run appends to (metrics, skipped samples): {@link JsonlAppender} adds one
 * record per line, naming the file when a write fails (a full disk); {@link truncateJsonl}
 * keeps the leading records a predicate accepts, e.g. a resumed run's metrics up to its
 * checkpoint's step, dropping what was written after it (and a line cut by a kill).
 */
import { FileWriteError, writeFileAtomic } from "./atomic_write.ts";

/**
 * Appends JSON records to a file, one per line (the file is created on the first record).
 *
 * @example Two records, one per line
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonlAppender } from "./jsonl_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const out = new JsonlAppender(`${dir}/skipped.jsonl`, "skipped-sample list");
 * await out.write({ key: "a.png", problem: "truncated" });
 * await out.write({ key: "b.png", problem: "empty" });
 * out.close();
 * const text = await Deno.readTextFile(`${dir}/skipped.jsonl`);
 * assert.equal(text, '{"key":"a.png","problem":"truncated"}\n{"key":"b.png","problem":"empty"}\n');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class JsonlAppender<T = unknown> {
  #file?: Deno.FsFile;
  readonly #enc = new TextEncoder();

  /** `what` names the file in errors (e.g. "metrics"). */
  constructor(readonly path: string, readonly what?: string) {}

  /** Appends one line; a failed write throws a {@link FileWriteError} naming the file. */
  async write(record: T): Promise<void> {
    const bytes = this.#enc.encode(JSON.stringify(record) + "\n");
    try {
      this.#file ??= await Deno.open(this.path, { create: true, append: true });
      let off = 0;
      while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
    } catch (err) {
      throw new FileWriteError(this.path, err, this.what);
    }
  }

  /** Closes the file (a later write opens it again). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/**
 * Rewrites `path` (atomically) with its leading records for which `keep` holds, up to the first
 * that fails it or does not parse (a line cut short by a kill). Returns how many records it
 * kept and how many lines it dropped; a missing file is left missing.
 *
 * @example Metrics up to a checkpoint's step, and a line cut by a kill
 * ```ts
 * import assert from "node:assert/strict";
 * import { truncateJsonl } from "./jsonl_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/metrics.jsonl`;
 * await Deno.writeTextFile(path, '{"step":100}\n{"step":120}\n{"step":140}\n{"st');
 * const r = await truncateJsonl(path, (m: { step: number }) => m.step <= 120);
 * assert.deepEqual(r, { kept: 2, dropped: 2 });
 * assert.equal(await Deno.readTextFile(path), '{"step":100}\n{"step":120}\n');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function truncateJsonl<T>(
  path: string,
  keep: (record: T) => boolean,
  what?: string,
): Promise<{ kept: number; dropped: number }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kept: 0, dropped: 0 };
    throw err;
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let kept = 0;
  for (; kept < lines.length; kept++) {
    let record: T;
    try {
      record = JSON.parse(lines[kept]);
    } catch {
      break;
    }
    if (!keep(record)) break;
  }
  const dropped = lines.length - kept;
  if (dropped > 0) {
    const body = lines.slice(0, kept).map((l) => l + "\n").join("");
    await writeFileAtomic(path, body, what);
  }
  return { kept, dropped };
}
