/**
 * The `"skip"` policy's one loop: stages that cannot produce a sample (a read error, a broken
 * shard, an undecodable file) pass a {@link SampleFailure} downstream instead of throwing, and
 * {@link skipFailures} counts it in the run's {@link SkipLog} and drops it. Under `"fail"` those
 * stages throw instead, naming the sample, and no failure ever reaches this stage.
 */
import { pullStage, type StageOptions, type StreamPair } from "../streams/stage.ts";
import type { SkipLog } from "./errors.ts";

/**
 * A sample that could not be produced: its key (file, shard member or dataset index), what went
 * wrong, and the epoch it belongs to.
 *
 * @example
 * ```ts
 * const f: SampleFailure = { failed: "a/cut.png: truncated PNG", key: "a/cut.png", epoch: 0 };
 * ```
 */
export interface SampleFailure {
  /** The message, naming the sample. */
  failed: string;
  key: string;
  epoch: number;
}

/**
 * True for a {@link SampleFailure}.
 */
export function isSampleFailure(item: unknown): item is SampleFailure {
  return typeof item === "object" && item !== null && "failed" in item;
}

/**
 * Drops failures, counting each in `skips` under its epoch, and passes samples on in order.
 * The stage registers one tracker, so the log reports an epoch once this stage has moved past
 * it (or ended).
 *
 * @example
 * ```ts
 * const skips = new SkipLog();
 * const pairs = viewsOrFailures.pipeThrough(skipFailures<ViewPair>(skips, { name: "skip" }));
 * ```
 */
export function skipFailures<T extends { epoch: number }>(
  skips: SkipLog,
  options: StageOptions = {},
): StreamPair<T | SampleFailure, T> {
  const tracker = skips.tracker();
  return pullStage<T | SampleFailure, T>("skip", options, 0, (up) => ({
    async pull(c) {
      for (;;) {
        const r = await up.read();
        if (r.done) {
          tracker.done();
          return c.close();
        }
        const item = r.value;
        tracker.at(item.epoch);
        if (!isSampleFailure(item)) return c.enqueue(item);
        tracker.record(item.failed, item.epoch);
      }
    },
    cancel: () => tracker.done(),
  }));
}
