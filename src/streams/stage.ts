/**
 * The shape shared by every stage here: a `{ writable, readable }` pair (usable with
 * `pipeThrough`) whose readable side is pull-driven, so a stage only reads upstream when
 * downstream asks (or when its own bounded queue has room). That is what keeps backpressure
 * exact and lets each stage book starved and backpressured time.
 */
import { pullReadable, stageStats } from "./_pull_readable.ts";
import type { StageStats, Telemetry } from "./telemetry.ts";

/**
 * A transform expressed as its two ends, as `ReadableStream.pipeThrough` expects.
 *
 * @example A stage written as a plain TransformStream
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, type StreamPair } from "@simclr/streams/streams";
 *
 * const double: StreamPair<number, number> = new TransformStream<number, number>({
 *   transform: (x, c) => c.enqueue(2 * x),
 * });
 * assert.deepEqual(await collect(fromIterable([1, 2]).pipeThrough(double)), [2, 4]);
 * ```
 */
export interface StreamPair<I, O> {
  /** Where upstream writes items. */
  writable: WritableStream<I>;
  /** Where downstream reads results. */
  readable: ReadableStream<O>;
}

/**
 * Options every stage accepts.
 *
 * @example Naming a stage in its pipeline's telemetry
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, map, type StageOptions, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const options: StageOptions = { name: "decode", telemetry };
 * await collect(fromIterable([1, 2, 3]).pipeThrough(map((x: number) => x, options)));
 * assert.deepEqual(telemetry.snapshot().map((s) => [s.name, s.itemsOut]), [["decode", 3]]);
 * ```
 */
export interface StageOptions {
  /** Name in telemetry (defaults to the stage kind). */
  name?: string;
  /** Where the stage registers its counters. Without it, counters are kept but unlisted. */
  telemetry?: Telemetry;
}

/**
 * Upstream as a stage sees it: reads are booked as starved time and counted.
 *
 * @example Reading upstream in a stage that sums pairs
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, pullStage, type Upstream } from "@simclr/streams/streams";
 *
 * const pairSums = pullStage<number, number>("pairSums", {}, 0, (up: Upstream<number>) => ({
 *   async pull(c) {
 *     const a = await up.read(); // booked as starved time
 *     const b = await up.read();
 *     if (a.done || b.done) return c.close();
 *     c.enqueue(a.value + b.value);
 *   },
 * }));
 * assert.deepEqual(await collect(fromIterable([1, 2, 3, 4, 5]).pipeThrough(pairSums)), [3, 7]);
 * ```
 */
export interface Upstream<I> {
  /** The next item from upstream, or `{ done: true }` at its end. */
  read(): Promise<ReadableStreamReadResult<I>>;
  /** Cancels upstream (it stops producing); for stages that end early, like `take`. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * What a stage body implements. `pull` must enqueue at least one item, close, or throw.
 *
 * @example A body that emits each item twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, pullStage, type StageBody, type Upstream } from "@simclr/streams/streams";
 *
 * const twice = (up: Upstream<string>): StageBody<string> => ({
 *   async pull(c) {
 *     const r = await up.read();
 *     if (r.done) return c.close();
 *     c.enqueue(r.value);
 *     c.enqueue(r.value);
 *   },
 * });
 * const out = fromIterable(["a", "b"]).pipeThrough(pullStage("twice", {}, 0, twice));
 * assert.deepEqual(await collect(out), ["a", "a", "b", "b"]);
 * ```
 */
export interface StageBody<O> {
  /** Called when downstream wants more: enqueue at least one item, close, or throw. */
  pull(controller: ReadableStreamDefaultController<O>): Promise<void>;
  /** Called when downstream cancels: release what the body holds. */
  cancel?(reason: unknown): void | Promise<void>;
}

/**
 * Builds a pull-driven stage. The entry side holds at most one item (the writable's queue);
 * the exit side holds at most `highWaterMark` items.
 *
 * @param kind The stage's kind: its name in telemetry unless `options.name` is given.
 * @param options The stage's name and telemetry.
 * @param highWaterMark Items the exit side may hold ahead of downstream (0: none).
 * @param makeBody Builds the body from upstream and the stage's counters.
 * @returns The stage, for `pipeThrough`.
 *
 * @example A stage of one's own that doubles numbers, with its counters
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, pullStage, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const double = pullStage<number, number>("double", { telemetry }, 0, (up) => ({
 *   async pull(c) {
 *     const r = await up.read();
 *     if (r.done) c.close();
 *     else c.enqueue(r.value * 2);
 *   },
 * }));
 * assert.deepEqual(await collect(fromIterable([1, 2, 3]).pipeThrough(double)), [2, 4, 6]);
 * const [stats] = telemetry.snapshot();
 * assert.deepEqual([stats.name, stats.itemsIn, stats.itemsOut], ["double", 3, 3]);
 * ```
 */
export function pullStage<I, O>(
  kind: string,
  options: StageOptions,
  highWaterMark: number,
  makeBody: (up: Upstream<I>, stats: StageStats) => StageBody<O>,
): StreamPair<I, O> {
  const stats = stageStats(kind, options);
  const entry = new TransformStream<I, I>(undefined, { highWaterMark: 1 }, { highWaterMark: 0 });
  const reader = entry.readable.getReader();
  const up: Upstream<I> = {
    async read() {
      const r = await stats.starve(() => reader.read());
      if (!r.done) stats.itemsIn++;
      return r;
    },
    cancel: (reason) => reader.cancel(reason),
  };
  const body = makeBody(up, stats);
  const readable = pullReadable<O>(stats, highWaterMark, {
    pull: (c) => body.pull(c),
    async cancel(reason) {
      await body.cancel?.(reason);
      await reader.cancel(reason);
    },
    onError(error) {
      reader.cancel(error).catch(() => {});
    },
  });
  return { writable: entry.writable, readable };
}

/**
 * A source stream from a pull function that returns the next item or `undefined` at the end.
 *
 * @param next Returns (or resolves to) the next item, or `undefined` at the end.
 * @param options The source's name and telemetry, and `onCancel`, called when the consumer
 * cancels.
 * @returns A pull-driven stream: `next` runs only when the consumer asks.
 *
 * @example A counter that ends at 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromPull } from "@simclr/streams/streams";
 *
 * let i = 0;
 * const numbers = fromPull(() => i < 3 ? i++ : undefined);
 * assert.deepEqual(await collect(numbers), [0, 1, 2]);
 * ```
 */
export function fromPull<T>(
  next: () => T | undefined | Promise<T | undefined>,
  options: StageOptions & { onCancel?: (reason: unknown) => void | Promise<void> } = {},
): ReadableStream<T> {
  const stats = stageStats("source", options);
  return pullReadable<T>(stats, 0, {
    async pull(c) {
      const v = await next();
      if (v === undefined) c.close();
      else {
        stats.itemsIn++;
        c.enqueue(v);
      }
    },
    cancel: options.onCancel,
  });
}

/**
 * A source stream over an (async) iterable, pulled one item at a time.
 *
 * @param items An array, generator or async iterable.
 * @param options The source's name and telemetry.
 * @returns A pull-driven stream of the items; cancelling it calls the iterator's `return`.
 *
 * @example From an async generator, stopped early
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, take } from "@simclr/streams/streams";
 *
 * let finished = false;
 * async function* numbers() {
 *   try {
 *     for (let i = 0;; i++) yield i;
 *   } finally {
 *     finished = true;
 *   }
 * }
 * assert.deepEqual(await collect(fromIterable(numbers()).pipeThrough(take(2))), [0, 1]);
 * assert.ok(finished); // the generator was returned
 * ```
 */
export function fromIterable<T>(
  items: Iterable<T> | AsyncIterable<T>,
  options: StageOptions = {},
): ReadableStream<T> {
  const it = Symbol.asyncIterator in items
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  return fromPull<T>(async () => {
    const r = await it.next();
    return r.done ? undefined : r.value;
  }, {
    ...options,
    onCancel: async () => {
      await it.return?.();
    },
  });
}

/**
 * Reads a whole stream into an array (for tests and small results).
 *
 * @param stream The stream to read to its end.
 * @returns Its items, in order.
 *
 * @example Reading a small stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable } from "@simclr/streams/streams";
 *
 * assert.deepEqual(await collect(fromIterable([1, 2])), [1, 2]);
 * ```
 */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of stream) out.push(v);
  return out;
}
