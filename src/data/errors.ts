/**
 * Bad input handling: errors that name the file (and tar member or sample key), what is
 * wrong and what to do; and the `"skip"` policy's per-epoch tally.
 */

/** What a source or decoder does with a bad sample: throw (default) or skip and count. */
export type OnError = "fail" | "skip";

/**
 * An error about input data. `where` names the file (`path`, `shard.tar:member`, sample key),
 * `problem` says what is wrong, `hint` what to do.
 *
 * @example
 * ```ts
 * throw new DataError("data/x.idx", "bad magic number 0x12345678", "is this an IDX file?");
 * ```
 */
export class DataError extends Error {
  constructor(readonly where: string, readonly problem: string, readonly hint?: string) {
    super(`${where}: ${problem}${hint ? `. ${hint}` : ""}`);
    this.name = "DataError";
  }
}

/** One epoch's skipped samples. */
export interface SkipReport {
  epoch: number;
  /** Number of samples skipped in the epoch. */
  count: number;
  /** The first few skipped samples with their problem. */
  examples: string[];
}

/**
 * Counts skipped samples per epoch and reports each epoch's tally when it ends (by default
 * as one `console.warn` line; nothing is printed for an epoch with no skips).
 *
 * @example
 * ```ts
 * const skips = new SkipLog((r) => console.warn(`epoch ${r.epoch}: skipped ${r.count}`));
 * const samples = indexedSamples(dataset, { seed: 1, epochs: 1, onError: "skip", skips });
 * ```
 */
export class SkipLog {
  /** Reports of finished epochs, oldest first. */
  readonly reports: SkipReport[] = [];
  #epoch: number | undefined;
  #count = 0;
  #examples: string[] = [];

  constructor(
    readonly onReport: (report: SkipReport) => void = (r) => {
      if (r.count > 0) console.warn(formatSkipReport(r));
    },
    readonly maxExamples = 5,
  ) {}

  /** Notes that an item of `epoch` went through; a new epoch closes the previous one. */
  observe(epoch: number): void {
    if (this.#epoch !== undefined && epoch !== this.#epoch) this.endEpoch();
    this.#epoch = epoch;
  }

  /** Records a skipped sample. */
  record(error: unknown, epoch?: number): void {
    if (epoch !== undefined) this.observe(epoch);
    this.#count++;
    if (this.#examples.length < this.maxExamples) {
      this.#examples.push(error instanceof Error ? error.message : String(error));
    }
  }

  /** Skips so far in the current epoch. */
  get current(): number {
    return this.#count;
  }

  /** Closes the current epoch: stores and reports its tally. Idempotent at the end of a run. */
  endEpoch(): SkipReport | undefined {
    if (this.#epoch === undefined) return undefined;
    const report = { epoch: this.#epoch, count: this.#count, examples: this.#examples };
    this.reports.push(report);
    this.#epoch = undefined;
    this.#count = 0;
    this.#examples = [];
    this.onReport(report);
    return report;
  }
}

/**
 * One line for a skip report.
 *
 * @example
 * ```ts
 * formatSkipReport({ epoch: 0, count: 2, examples: ["a.png: empty file"] });
 * ```
 */
export function formatSkipReport(r: SkipReport): string {
  const more = r.count > r.examples.length ? `; ...` : "";
  return `epoch ${r.epoch}: skipped ${r.count} bad sample${r.count === 1 ? "" : "s"}` +
    (r.examples.length ? ` (${r.examples.join("; ")}${more})` : "");
}
