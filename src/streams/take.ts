/** Passes the first `n` items, then cancels upstream. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Passes the first `n` items and then ends, cancelling upstream (which stops its reads).
 *
 * @example
 * ```ts
 * const first3 = fromIterable([1, 2, 3, 4]).pipeThrough(take(3)); // 1, 2, 3
 * ```
 */
export function take<T>(n: number, options: StageOptions = {}): StreamPair<T, T> {
  if (!(n >= 0)) throw new RangeError(`take: count must be >= 0, got ${n}`);
  let taken = 0;
  return pullStage<T, T>("take", options, 0, (up) => ({
    async pull(c) {
      if (taken >= n) {
        c.close();
        await up.cancel("take: enough items");
        return;
      }
      const r = await up.read();
      if (r.done) return c.close();
      taken++;
      c.enqueue(r.value);
      if (taken >= n) {
        c.close();
        await up.cancel("take: enough items");
      }
    },
  }));
}
