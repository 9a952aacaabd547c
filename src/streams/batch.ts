/** Groups consecutive items into arrays of `n`. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Options of {@link batch}.
 *
 * @example Dropping the short last batch, under a name of one's own
 * ```ts
 * import assert from "node:assert/strict";
 * import { batch, type BatchOptions, collect, fromIterable, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const options: BatchOptions = { dropLast: true, name: "steps", telemetry };
 * const batches = await collect(fromIterable([1, 2, 3, 4, 5]).pipeThrough(batch(2, options)));
 * assert.deepEqual(batches, [[1, 2], [3, 4]]);
 * assert.deepEqual(telemetry.snapshot().map((s) => [s.name, s.itemsOut]), [["steps", 2]]);
 * ```
 */
export interface BatchOptions extends StageOptions {
  /** Drop a last, short batch instead of emitting it (default false). */
  dropLast?: boolean;
}

/**
 * Groups items into arrays of `n` (the last one shorter unless `dropLast`).
 *
 * @param n Items per batch (a positive integer).
 * @param options `dropLast`, and the stage's name and telemetry.
 * @returns A stage from items to arrays of `n` items.
 * @throws {RangeError} When `n` is not a positive integer.
 *
 * @example Batches of two, the last one short
 * ```ts
 * import assert from "node:assert/strict";
 * import { batch, collect, fromIterable } from "@simclr/streams/streams";
 *
 * const batches = await collect(fromIterable([1, 2, 3, 4, 5]).pipeThrough(batch(2)));
 * assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
 * assert.throws(() => batch(0), RangeError);
 * ```
 */
export function batch<T>(n: number, options: BatchOptions = {}): StreamPair<T, T[]> {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`batch: size must be a positive integer, got ${n}`);
  }
  return pullStage<T, T[]>("batch", options, 0, (up) => ({
    async pull(c) {
      const items: T[] = [];
      while (items.length < n) {
        const r = await up.read();
        if (r.done) break;
        items.push(r.value);
      }
      if (items.length === n || (items.length > 0 && !options.dropLast)) c.enqueue(items);
      if (items.length < n) c.close();
    },
  }));
}
