/**
 * The plumbing under every stage (private to the package): a stage's counters, listed in its
 * telemetry or not, and the pull-driven ReadableStream that books a stage's backpressured time
 * and counts what it hands out. `pullStage` and `fromPull` build on it.
 */
import type { StageBody, StageOptions } from "./stage.ts";
import { StageStats } from "./telemetry.ts";

/**
 * Registers a stage's counters in `options.telemetry`, or makes unlisted ones.
 *
 * @example Listed counters and unlisted ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { stageStats } from "./_pull_readable.ts";
 * import { Telemetry } from "./telemetry.ts";
 *
 * const telemetry = new Telemetry();
 * stageStats("myStage", { telemetry }).itemsOut++;
 * stageStats("unlisted").itemsOut++;
 * assert.deepEqual(telemetry.snapshot().map((s) => [s.name, s.itemsOut]), [["myStage", 1]]);
 * ```
 */
export function stageStats(kind: string, options: StageOptions = {}): StageStats {
  const name = options.name ?? kind;
  return options.telemetry ? options.telemetry.stage(name) : new StageStats(name);
}

/**
 * A pull-driven ReadableStream that books backpressured time (the gap between the end of
 * one pull and the start of the next), counts items out and marks start and end.
 *
 * @example Counting the items out of a source
 * ```ts
 * import assert from "node:assert/strict";
 * import { pullReadable, stageStats } from "./_pull_readable.ts";
 *
 * const stats = stageStats("count");
 * let n = 0;
 * const out = pullReadable<number>(stats, 0, {
 *   async pull(c) {
 *     if (n < 2) c.enqueue(n++);
 *     else c.close();
 *   },
 * });
 * for await (const _ of out);
 * assert.equal(stats.itemsOut, 2);
 * assert.notEqual(stats.endedAt, undefined);
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
