/**
 * `skipped.jsonl` of a run: every sample skipped under `data.onError: skip`, in training and in
 * evaluation, one JSON record per line (`{ phase, epoch?, problem, time }`; the problem names
 * the file, tar member or sample key). A sample is listed once per phase and epoch, also across
 * a resume (which reads some samples again) and the evaluation's two passes (trained and
 * random-init encoder).
 */
import { JsonlAppender } from "../streams/jsonl_file.ts";

/**
 * One line of `skipped.jsonl`.
 */
export interface SkippedRecord {
  /** `train`, or the evaluation split it was skipped from (`eval:train`, `eval:test`). */
  phase: string;
  /** The training epoch (0-based); absent for evaluation. */
  epoch?: number;
  /** What went wrong, naming the sample. */
  problem: string;
  /** When it was skipped (ISO). */
  time: string;
}

/** Appends skipped samples to a run's `skipped.jsonl`, once each. */
export class SkippedFile {
  readonly #out: JsonlAppender<SkippedRecord>;
  readonly #seen = new Set<string>();
  #pending: Promise<void> = Promise.resolve();
  #failure: unknown;
  /** Samples listed by this process (not counting those already in the file). */
  count = 0;

  private constructor(readonly path: string) {
    this.#out = new JsonlAppender(path, "skipped-sample list");
  }

  /** The list at `path`, with the records already in it known (so a resume adds no repeats). */
  static async open(path: string): Promise<SkippedFile> {
    const f = new SkippedFile(path);
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    for (const line of text.split("\n")) {
      try {
        const r = JSON.parse(line) as SkippedRecord;
        f.#seen.add(identity(r.phase, r.epoch, r.problem));
      } catch { /* a blank or cut line */ }
    }
    return f;
  }

  /** Lists a skipped sample (written in the background; {@link flush} waits for it). */
  record(phase: string, problem: string, epoch?: number): void {
    const id = identity(phase, epoch, problem);
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.count++;
    const record: SkippedRecord = {
      phase,
      ...(epoch === undefined ? {} : { epoch }),
      problem,
      time: new Date().toISOString(),
    };
    this.#pending = this.#pending.then(() => this.#out.write(record)).catch((err) => {
      this.#failure ??= err;
    });
  }

  /** Waits for the records written so far; throws the first write error (a full disk). */
  async flush(): Promise<void> {
    await this.#pending;
    if (this.#failure) throw this.#failure;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#out.close();
    }
  }
}

function identity(phase: string, epoch: number | undefined, problem: string): string {
  return `${phase}\u0000${epoch ?? ""}\u0000${problem}`;
}
