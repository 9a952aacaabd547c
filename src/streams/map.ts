/** Main-thread map and filter stages (for light work; use parallelMap for heavy work). */
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Applies `fn` to each item, one at a time, on this thread. `index` counts from 0.
 *
 * @example
 * ```ts
 * const squares = fromIterable([1, 2, 3]).pipeThrough(map((x: number) => x * x));
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
 * @example
 * ```ts
 * const even = fromIterable([1, 2, 3, 4]).pipeThrough(filter((x: number) => x % 2 === 0));
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
