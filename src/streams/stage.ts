/**
 * The shape shared by every stage here: a `{ writable, readable }` pair (usable with
 * `pipeThrough`) whose readable side is pull-driven, so a stage only reads upstream when
 * downstream asks (or when its own bounded queue has room). That is what keeps backpressure
 * exact and lets each stage book starved and backpressured time.
 */
import { StageStats, type Telemetry } from "./telemetry.ts";

/**
 * A transform expressed as its two ends, as `ReadableStream.pipeThrough` expects.
 *
 * @example
 * ```ts
 * const double: StreamPair<number, number> = map((x: number) => 2 * x);
 * source.pipeThrough(double);
 * ```
 */
export interface StreamPair<I, O> {
  writable: WritableStream<I>;
  readable: ReadableStream<O>;
}

/**
 * Options every stage accepts.
 *
 * @example
 * ```ts
 * const opts: StageOptions = { name: "decode", telemetry };
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
 * @example
 * ```ts
 * const r = await up.read(); // booked as starved time
 * if (r.done) controller.close();
 * ```
 */
export interface Upstream<I> {
  read(): Promise<ReadableStreamReadResult<I>>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * What a stage body implements. `pull` must enqueue at least one item, close, or throw.
 *
 * @example
 * ```ts
 * const body: StageBody<number> = { async pull(c) { c.enqueue(1); } };
 * ```
 */
export interface StageBody<O> {
  pull(controller: ReadableStreamDefaultController<O>): Promise<void>;
  cancel?(reason: unknown): void | Promise<void>;
}

/**
 * Registers a stage's counters in `options.telemetry`, or makes unlisted ones.
 *
 * @example
 * ```ts
 * const stats = stageStats("myStage", { telemetry });
 * stats.itemsOut++;
 * ```
 */
export function stageStats(kind: string, options: StageOptions = {}): StageStats {
  const name = options.name ?? kind;
  return options.telemetry ? options.telemetry.stage(name) : new StageStats(name);
}

/**
 * Builds a pull-driven stage. The entry side holds at most one item (the writable's queue);
 * the exit side holds at most `highWaterMark` items.
 *
 * @example
 * ```ts
 * // A stage that doubles numbers:
 * const double = pullStage<number, number>("double", {}, 0, (up) => ({
 *   async pull(c) {
 *     const r = await up.read();
 *     if (r.done) c.close();
 *     else c.enqueue(r.value * 2);
 *   },
 * }));
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
 * A pull-driven ReadableStream that books backpressured time (the gap between the end of
 * one pull and the start of the next), counts items out and marks start and end.
 *
 * @example
 * ```ts
 * const out = pullReadable<number>(stageStats("count"), 0, {
 *   async pull(c) { c.enqueue(1); },
 * });
 * ```
 */
export function pullReadable<O>(
  stats: StageStats,
  highWaterMark: number,
  body: StageBody<O> & { onError?(error: unknown): void },
): ReadableStream<O> {
  let lastPullEnd: number | undefined;
  return new ReadableStream<O>({
    async pull(controller) {
      stats.start();
      const t = performance.now();
      if (lastPullEnd !== undefined) stats.backpressuredMs += t - lastPullEnd;
      const counting = {
        get desiredSize() {
          return controller.desiredSize;
        },
        enqueue(chunk: O) {
          stats.itemsOut++;
          controller.enqueue(chunk);
        },
        close() {
          stats.end();
          controller.close();
        },
        error(e?: unknown) {
          stats.end();
          controller.error(e);
        },
      } as ReadableStreamDefaultController<O>;
      try {
        await body.pull(counting);
      } catch (error) {
        stats.end();
        body.onError?.(error);
        throw error;
      }
      lastPullEnd = performance.now();
    },
    async cancel(reason) {
      stats.end();
      await body.cancel?.(reason);
    },
  }, { highWaterMark });
}

/**
 * A source stream from a pull function that returns the next item or `undefined` at the end.
 *
 * @example
 * ```ts
 * let i = 0;
 * const numbers = fromPull(() => i < 3 ? i++ : undefined); // 0, 1, 2
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
 * @example
 * ```ts
 * const s = fromIterable([1, 2, 3]);
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
 * @example
 * ```ts
 * const items = await collect(fromIterable([1, 2])); // [1, 2]
 * ```
 */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of stream) out.push(v);
  return out;
}
