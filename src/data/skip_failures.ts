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
 * @example A failure passed downstream in place of a sample
 * ```ts
 * import type { SampleFailure } from "@simclr/streams/data";
 * import { skipFailures, SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const f: SampleFailure = { failed: "a/cut.png: truncated PNG", key: "a/cut.png", epoch: 0 };
 * const skips = new SkipLog(() => {});
 * const out = await Array.fromAsync(ReadableStream.from([f, { epoch: 0 }]).pipeThrough(skipFailures(skips)));
 * assert.deepEqual(out, [{ epoch: 0 }]);
 * assert.deepEqual(skips.of(0).examples, ["a/cut.png: truncated PNG"]);
 * ```
 */
export interface SampleFailure {
  /** The message, naming the sample. */
  failed: string;
  /** The key of the sample that failed. */
  key: string;
  /** The epoch the sample belongs to. */
  epoch: number;
}

/**
 * True for a {@link SampleFailure}.
 */
function isSampleFailure(item: unknown): item is SampleFailure {
  return typeof item === "object" && item !== null && "failed" in item;
}

/**
 * Drops failures, counting each in `skips` under its epoch, and passes samples on in order.
 * The stage registers one tracker, so the log reports an epoch once this stage has moved past
 * it (or ended).
 *
 * @example Dropping failures from a stream of decoded items, counted per epoch
 * ```ts
 * import type { SampleFailure } from "@simclr/streams/data";
 * import { skipFailures, SkipLog } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * type Item = { epoch: number; key: string };
 * const items: (Item | SampleFailure)[] = [
 *   { epoch: 0, key: "a" },
 *   { epoch: 0, key: "b", failed: "b: cannot decode" },
 *   { epoch: 1, key: "c" },
 * ];
 * const counts: number[] = [];
 * const skips = new SkipLog((r) => counts.push(r.count));
 * const kept = ReadableStream.from(items).pipeThrough(skipFailures<Item>(skips, { name: "skip" }));
 * assert.deepEqual((await Array.fromAsync(kept)).map((i) => i.key), ["a", "c"]);
 * assert.deepEqual(counts, [1, 0]); // epoch 0 when the stage reached epoch 1, epoch 1 at the end
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
