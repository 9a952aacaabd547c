/**
 * Bad input handling: errors that name the file (and tar member or sample key), what is
 * wrong and what to do; and the `"skip"` policy's per-epoch tally.
 */

/**
 * What a source or decoder does with a bad sample: throw (default) or skip and count.
 *
 * @example
 * ```ts
 * indexedSamples(dataset, { seed: 1, onError: "skip" satisfies OnError });
 * ```
 */
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

/**
 * One epoch's skipped samples.
 *
 * @example
 * ```ts
 * const skips = new SkipLog((r: SkipReport) => console.warn(r.epoch, r.count, r.examples));
 * ```
 */
export interface SkipReport {
  epoch: number;
  /** Number of samples skipped in the epoch. */
  count: number;
  /** The first few skipped samples with their problem. */
  examples: string[];
}

/**
 * A stage's handle on a {@link SkipLog}: where it is, what it skipped.
 *
 * @example
 * ```ts
 * const t = skips.tracker();
 * t.at(epoch);
 * t.record(error, epoch);
 * t.done();
 * ```
 */
export interface SkipTracker {
  /** The stage is now handling items of `epoch`. */
  at(epoch: number): void;
  /** The stage skipped a sample of `epoch`. */
  record(error: unknown, epoch: number): void;
  /** The stage has finished (its stream ended). */
  done(): void;
}

/**
 * Counts skipped samples per epoch and reports each epoch's tally once every stage that
 * tracks skips has moved past that epoch (stages run ahead of one another, so "the end of
 * an epoch" is when the last one leaves it). By default the report is one `console.warn`
 * line, and nothing is printed for an epoch with no skips. Share one log between every stage
 * that can skip (reading, decoding) to get one report per epoch.
 *
 * @example
 * ```ts
 * const skips = new SkipLog((r) => console.warn(`epoch ${r.epoch}: skipped ${r.count}`));
 * const samples = indexedSamples(dataset, { seed: 1, epochs: 1, onError: "skip", skips });
 * // ... and the view workers' failures: viewsOrFailures.pipeThrough(skipFailures(skips))
 * ```
 */
export class SkipLog {
  /** Reports of finished epochs, oldest first. */
  readonly reports: SkipReport[] = [];
  #pending = new Map<number, SkipReport>();
  #stages: { epoch: number }[] = [];

  /**
   * `onReport` gets each epoch's tally; `onSkip`, when given, every skipped sample as it is
   * recorded (e.g. to list them all in a file: the tally keeps `maxExamples`).
   */
  constructor(
    readonly onReport: (report: SkipReport) => void = (r) => {
      if (r.count > 0) console.warn(formatSkipReport(r));
    },
    readonly maxExamples = 5,
    readonly onSkip?: (problem: string, epoch: number) => void,
  ) {}

  /** Registers a stage; the log reports an epoch once every registered stage is past it. */
  tracker(): SkipTracker {
    const state = { epoch: -Infinity };
    this.#stages.push(state);
    return {
      at: (epoch) => {
        this.#entry(epoch);
        if (epoch > state.epoch) {
          state.epoch = epoch;
          this.#flush();
        }
      },
      record: (error, epoch) => this.record(error, epoch),
      done: () => {
        state.epoch = Infinity;
        this.#flush();
      },
    };
  }

  /** Records a skipped sample of `epoch`. */
  record(error: unknown, epoch: number): void {
    const r = this.#entry(epoch);
    const problem = error instanceof Error ? error.message : String(error);
    r.count++;
    if (r.examples.length < this.maxExamples) r.examples.push(problem);
    this.onSkip?.(problem, epoch);
    this.#flush();
  }

  /**
   * Reports every epoch not reported yet (the last one's tally, when the stages were cancelled
   * at the end of training rather than run to their end). Call once reading is over.
   */
  finish(): void {
    for (const e of [...this.#pending.keys()].sort((a, b) => a - b)) {
      const r = this.#pending.get(e)!;
      this.#pending.delete(e);
      this.reports.push(r);
      this.onReport(r);
    }
  }

  /** What was skipped in `epoch` so far (reported or not); `count` 0 when nothing was. */
  of(epoch: number): SkipReport {
    const r = this.#pending.get(epoch) ?? this.reports.find((x) => x.epoch === epoch);
    return r ? { ...r, examples: [...r.examples] } : { epoch, count: 0, examples: [] };
  }

  /** Skips counted so far, over all epochs. */
  get total(): number {
    let n = 0;
    for (const r of this.reports) n += r.count;
    for (const r of this.#pending.values()) n += r.count;
    return n;
  }

  #entry(epoch: number): SkipReport {
    let r = this.#pending.get(epoch);
    if (!r) {
      r = { epoch, count: 0, examples: [] };
      this.#pending.set(epoch, r);
    }
    return r;
  }

  #flush(): void {
    if (this.#stages.length === 0) return;
    const low = Math.min(...this.#stages.map((s) => s.epoch));
    const ready = [...this.#pending.keys()].filter((e) => e < low).sort((a, b) => a - b);
    for (const e of ready) {
      const r = this.#pending.get(e)!;
      this.#pending.delete(e);
      this.reports.push(r);
      this.onReport(r);
    }
  }
}

/**
 * One line for a skip report.
 */
export function formatSkipReport(r: SkipReport): string {
  const more = r.count > r.examples.length ? `; ...` : "";
  return `epoch ${r.epoch}: skipped ${r.count} bad sample${r.count === 1 ? "" : "s"}` +
    (r.examples.length ? ` (${r.examples.join("; ")}${more})` : "");
}
