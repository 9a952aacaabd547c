/**
 * Stage telemetry: every stage counts its items and the time it waited on upstream
 * (starved) and on downstream (backpressured). A `Telemetry` collects the stages of one
 * pipeline; `snapshot()` reads them, `summary()` renders one line for a CLI.
 */
import { formatSummary } from "./_summary.ts";

/**
 * Live counters of one stage. Stages update them (a {@link Telemetry} hands them out, and
 * `pullStage` gives a stage of one's own its counters); readers take snapshots.
 *
 * @example Booking a read as starved time
 * ```ts
 * import assert from "node:assert/strict";
 * import { type StageStats, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const stats: StageStats = telemetry.stage("read");
 * stats.start();
 * const item = await stats.starve(() => new Promise((r) => setTimeout(() => r("x"), 20)));
 * stats.itemsOut++;
 * stats.end();
 * assert.equal(item, "x");
 * assert.ok(stats.starvedMs >= 15);
 * assert.equal(telemetry.snapshot()[0].itemsOut, 1);
 * ```
 */
export class StageStats {
  /** Items that entered the stage. */
  itemsIn = 0;
  /** Items that left the stage. */
  itemsOut = 0;
  /** Milliseconds spent waiting for upstream to deliver an item. */
  starvedMs = 0;
  /** Milliseconds spent with output ready, waiting for downstream to ask for it. */
  backpressuredMs = 0;
  /** When the stage first ran (performance.now()), or undefined before. */
  startedAt: number | undefined;
  /** When the stage finished (closed, errored or cancelled). */
  endedAt: number | undefined;

  /**
   * Zeroed counters.
   *
   * @param name The stage's name in snapshots and summaries.
   */
  constructor(readonly name: string) {}

  /** Marks the stage as started (idempotent). */
  start(): void {
    this.startedAt ??= performance.now();
  }

  /** Marks the stage as ended (idempotent). */
  end(): void {
    this.endedAt ??= performance.now();
  }

  /** Runs `read` and books its duration as starved time. */
  async starve<T>(read: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await read();
    } finally {
      this.starvedMs += performance.now() - t0;
    }
  }
}

/**
 * A frozen copy of a stage's counters.
 *
 * @example The snapshots of a finished pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { batch, collect, fromIterable, type StageSnapshot, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * await collect(fromIterable([1, 2, 3, 4], { telemetry }).pipeThrough(batch(2, { telemetry })));
 * const stages: StageSnapshot[] = telemetry.snapshot();
 * assert.deepEqual(stages.map((s) => [s.name, s.itemsIn, s.itemsOut]), [
 *   ["source", 4, 4],
 *   ["batch", 4, 2],
 * ]);
 * assert.ok(stages.every((s) => s.elapsedMs >= 0 && s.starvedMs <= s.elapsedMs + 1));
 * ```
 */
export interface StageSnapshot {
  /** The stage's name (unique within its telemetry). */
  name: string;
  /** Items that entered the stage. */
  itemsIn: number;
  /** Items that left the stage. */
  itemsOut: number;
  /** Milliseconds spent waiting for upstream. */
  starvedMs: number;
  /** Milliseconds spent with output ready, waiting for downstream. */
  backpressuredMs: number;
  /** Wall time since the stage started (until it ended, if it did). */
  elapsedMs: number;
  /** Items out per second of elapsed time. */
  itemsPerSecond: number;
}

/**
 * The telemetry of one pipeline: stages register here by name.
 *
 * @example One telemetry for a pipeline, summarized in one line
 * ```ts
 * import assert from "node:assert/strict";
 * import { batch, collect, fromIterable, prefetch, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const out = fromIterable([1, 2, 3, 4])
 *   .pipeThrough(batch(2, { telemetry }))
 *   .pipeThrough(batch(1, { telemetry })) // a second "batch": listed as "batch#2"
 *   .pipeThrough(prefetch(2, { telemetry }));
 * await collect(out);
 * // e.g. "batch 2 1.2k/s starved 40% bp 10% | batch#2 2 ... | prefetch 2 ..."
 * assert.match(telemetry.summary(), /^batch 2 .*\| batch#2 2 .*\| prefetch 2 /);
 * ```
 */
export class Telemetry {
  #stages: StageStats[] = [];

  /** Registers a stage and returns its counters; repeated names get a `#2` suffix. */
  stage(name: string): StageStats {
    let unique = name;
    for (let n = 2; this.#stages.some((s) => s.name === unique); n++) unique = `${name}#${n}`;
    const stats = new StageStats(unique);
    this.#stages.push(stats);
    return stats;
  }

  /** The counters of every registered stage, in registration (pipeline) order. */
  snapshot(): StageSnapshot[] {
    const now = performance.now();
    return this.#stages.map((s) => {
      const elapsedMs = s.startedAt === undefined ? 0 : (s.endedAt ?? now) - s.startedAt;
      return {
        name: s.name,
        itemsIn: s.itemsIn,
        itemsOut: s.itemsOut,
        starvedMs: s.starvedMs,
        backpressuredMs: s.backpressuredMs,
        elapsedMs,
        itemsPerSecond: elapsedMs > 0 ? (s.itemsOut * 1000) / elapsedMs : 0,
      };
    });
  }

  /**
   * One line: `name items rate starved% backpressured%` per stage, separated by ` | `.
   * The stage that is rarely starved and rarely backpressured is the bottleneck.
   */
  summary(): string {
    return formatSummary(this.snapshot());
  }
}
