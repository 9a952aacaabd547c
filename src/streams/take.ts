/** Passes the first `n` items, then cancels upstream. */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Passes the first `n` items and then ends, cancelling upstream (which stops its reads).
 *
 * @param n Items to pass (>= 0).
 * @param options The stage's name and telemetry.
 * @returns A stage that passes the first `n` items.
 * @throws {RangeError} When `n` is negative or NaN.
 *
 * @example The first three of an endless source, which stops being read
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromPull, take } from "@simclr/streams/streams";
 *
 * let i = 0;
 * const endless = fromPull(() => i++);
 * assert.deepEqual(await collect(endless.pipeThrough(take(3))), [0, 1, 2]);
 * assert.ok(i <= 4); // upstream was cancelled
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
