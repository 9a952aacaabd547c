/** A bounded queue that reads ahead of downstream. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Reads up to `k` items ahead of downstream and holds them in a bounded queue, so the
 * producer keeps working while the consumer is busy. Never holds more than `k` (+1 at entry).
 *
 * @example
 * ```ts
 * const ahead = batches.pipeThrough(prefetch(2));
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
