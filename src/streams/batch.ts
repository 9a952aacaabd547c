/** Groups consecutive items into arrays of `n`. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Options of {@link batch}.
 *
 * @example
 * ```ts
 * source.pipeThrough(batch(64, { dropLast: true, name: "batch", telemetry }));
 * ```
 */
export interface BatchOptions extends StageOptions {
  /** Drop a last, short batch instead of emitting it (default false). */
  dropLast?: boolean;
}

/**
 * Groups items into arrays of `n` (the last one shorter unless `dropLast`).
 *
 * @example
 * ```ts
 * const batches = fromIterable([1, 2, 3, 4, 5]).pipeThrough(batch(2, { dropLast: true }));
 * // [1, 2], [3, 4]
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
