/** A bounded queue that reads ahead of downstream. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Reads up to `k` items ahead of downstream and holds them in a bounded queue, so the
 * producer keeps working while the consumer is busy. Never holds more than `k` (+1 at entry).
 *
 * @param k Most items held ahead (an integer >= 0).
 * @param options The stage's name and telemetry.
 * @returns A stage that passes items unchanged.
 * @throws {RangeError} When `k` is not an integer >= 0.
 *
 * @example The producer runs ahead while the consumer is busy
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromPull, prefetch } from "@simclr/streams/streams";
 *
 * let produced = 0;
 * const source = fromPull(() => produced < 10 ? produced++ : undefined);
 * const reader = source.pipeThrough(prefetch(3)).getReader();
 * assert.deepEqual(await reader.read(), { done: false, value: 0 });
 * await new Promise((resolve) => setTimeout(resolve, 10)); // the consumer is busy
 * assert.ok(produced >= 4 && produced <= 6); // read ahead: a queue of 3 (+1 at entry), no more
 * await reader.cancel();
 * ```
 */
export function prefetch<T>(k: number, options: StageOptions = {}): StreamPair<T, T> {
  if (!Number.isInteger(k) || k < 0) {
    throw new RangeError(`prefetch: queue size must be an integer >= 0, got ${k}`);
  }
  return pullStage<T, T>("prefetch", options, k, (up) => ({
    async pull(c) {
      const r = await up.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
  }));
}
