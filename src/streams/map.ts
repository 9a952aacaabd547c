/** Main-thread map and filter stages (for light work; use parallelMap for heavy work). */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Applies `fn` to each item, one at a time, on this thread. `index` counts from 0.
 *
 * @param fn The function (sync or async), given the item and its index.
 * @param options The stage's name and telemetry.
 * @returns A stage from items to `fn`'s results.
 *
 * @example Squares, and an async function using the index
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, map } from "@simclr/streams/streams";
 *
 * const squares = fromIterable([1, 2, 3]).pipeThrough(map((x: number) => x * x));
 * assert.deepEqual(await collect(squares), [1, 4, 9]);
 * const tagged = fromIterable(["a", "b"]).pipeThrough(map(async (s: string, i) => `${i}:${s}`));
 * assert.deepEqual(await collect(tagged), ["0:a", "1:b"]);
 * ```
 */
export function map<I, O>(
  fn: (item: I, index: number) => O | Promise<O>,
  options: StageOptions = {},
): StreamPair<I, O> {
  let i = 0;
  return pullStage<I, O>("map", options, 0, (up) => ({
    async pull(c) {
      const r = await up.read();
      if (r.done) return c.close();
      c.enqueue(await fn(r.value, i++));
    },
  }));
}

/**
 * Keeps the items for which `keep` returns true.
 *
 * @param keep The predicate (sync or async).
 * @param options The stage's name and telemetry.
 * @returns A stage that passes the kept items, in order.
 *
 * @example The even numbers
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, filter, fromIterable } from "@simclr/streams/streams";
 *
 * const even = fromIterable([1, 2, 3, 4]).pipeThrough(filter((x: number) => x % 2 === 0));
 * assert.deepEqual(await collect(even), [2, 4]);
 * ```
 */
export function filter<T>(
  keep: (item: T) => boolean | Promise<boolean>,
  options: StageOptions = {},
): StreamPair<T, T> {
  return pullStage<T, T>("filter", options, 0, (up) => ({
    async pull(c) {
      for (;;) {
        const r = await up.read();
        if (r.done) return c.close();
        if (await keep(r.value)) return c.enqueue(r.value);
      }
    },
  }));
}
