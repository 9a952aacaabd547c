/**
 * Bad input handling: errors that name the file (and tar member or sample key), what is
 * wrong and what to do; and the `"skip"` policy's per-epoch tally.
 */
import { formatSkipReport } from "./_skip_report.ts";

/**
 * What a source or decoder does with a bad sample: throw (default) or skip and count.
 *
 * @example Skipping a sample that cannot be read
 * ```ts
 * import type { IndexedDataset, OnError, RawImage } from "@simclr/streams/data";
 * import { indexedSamples, SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny", length: 3,
 *   get: (i) => i === 1 ? Promise.reject(new Error("tiny[1]: unreadable"))
 *     : Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i) }),
 * };
 * const onError: OnError = "skip";
 * const skips = new SkipLog(() => {});
 * const keys = [];
 * for await (const s of indexedSamples(ds, { seed: 1, epochs: 1, shuffle: false, onError, skips })) keys.push(s.key);
 * assert.deepEqual(keys, ["tiny[0]", "tiny[2]"]);
 * assert.equal(skips.total, 1);
 * ```
 */
export type OnError = "fail" | "skip";

/**
 * An error about input data. `where` names the file (`path`, `shard.tar:member`, sample key),
 * `problem` says what is wrong, `hint` what to do.
 *
 * @example Where, what, and what to do
 * ```ts
 * import { DataError } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const e = new DataError("data/x.idx", "bad IDX magic number 0x12345678", "is this an IDX file?");
 * assert.equal(e.message, "data/x.idx: bad IDX magic number 0x12345678. is this an IDX file?");
 * assert.equal(e.where, "data/x.idx");
 * ```
 *
 * @example Sources throw it for bad input
 * ```ts
 * import { createDecoder, DataError, decodeSample } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const decoder = await createDecoder();
 * await assert.rejects(
 *   decodeSample(decoder, { key: "empty.png", bytes: new Uint8Array(0) }),
 *   (e) => e instanceof DataError && e.where === "empty.png" && /empty file/.test(e.problem),
 * );
 * ```
 */
export class DataError extends Error {
  /** `where`: the file, `shard.tar:member` or sample key; `problem`: what is wrong; `hint`: what to do. */
  constructor(readonly where: string, readonly problem: string, readonly hint?: string) {
    super(`${where}: ${problem}${hint ? `. ${hint}` : ""}`);
    this.name = "DataError";
  }
}

/**
 * One epoch's skipped samples.
 *
 * @example Collecting the reports
 * ```ts
 * import type { SkipReport } from "@simclr/streams/data";
 * import { SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const seen: SkipReport[] = [];
 * const skips = new SkipLog((r) => seen.push(r));
 * skips.record(new Error("a.png: empty file"), 0);
 * skips.finish();
 * assert.deepEqual(seen, [{ epoch: 0, count: 1, examples: ["a.png: empty file"] }]);
 * ```
 */
export interface SkipReport {
  /** The epoch (0-based). */
  epoch: number;
  /** Number of samples skipped in the epoch. */
  count: number;
  /** The first few skipped samples with their problem. */
  examples: string[];
}

/**
 * A stage's handle on a {@link SkipLog}: where it is, what it skipped.
 *
 * @example A stage's tracker: epoch 0 is reported once the stage moves to epoch 1
 * ```ts
 * import type { SkipReport, SkipTracker } from "@simclr/streams/data";
 * import { SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const reports: SkipReport[] = [];
 * const skips = new SkipLog((r) => reports.push(r));
 * const t: SkipTracker = skips.tracker();
 * t.at(0);
 * t.record(new Error("b.jpg: truncated JPEG"), 0);
 * assert.equal(reports.length, 0); // the stage is still in epoch 0
 * t.at(1);
 * assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 1]]);
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
 * @example One log for reading and a later stage's failures
 * ```ts
 * import type { IndexedDataset, RawImage } from "@simclr/streams/data";
 * import { indexedSamples, SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny", length: 4,
 *   get: (i) => i % 2 ? Promise.reject(new Error(`tiny[${i}]: bad record`))
 *     : Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i) }),
 * };
 * const lines: string[] = [];
 * const skips = new SkipLog((r) => lines.push(`epoch ${r.epoch}: skipped ${r.count}`));
 * let read = 0;
 * for await (const _ of indexedSamples(ds, { seed: 1, epochs: 2, onError: "skip", skips })) read++;
 * skips.finish();
 * assert.equal(read, 4);
 * assert.deepEqual(lines, ["epoch 0: skipped 2", "epoch 1: skipped 2"]);
 * assert.equal(skips.of(1).count, 2);
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
