/**
 * Stage telemetry: every stage counts its items and the time it waited on upstream
 * (starved) and on downstream (backpressured). A `Telemetry` collects the stages of one
 * pipeline; `snapshot()` reads them, `summary()` renders one line for a CLI.
 */

/**
 * Live counters of one stage. Stages update them; readers take snapshots.
 *
 * @example
 * ```ts
 * const stats = telemetry.stage("read");
 * const r = await stats.starve(() => reader.read());
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
 * @example
 * ```ts
 * for (const s of telemetry.snapshot()) console.log(s.name, s.itemsOut, s.starvedMs, s.backpressuredMs);
 * ```
 */
export interface StageSnapshot {
  name: string;
  itemsIn: number;
  itemsOut: number;
  starvedMs: number;
  backpressuredMs: number;
  /** Wall time since the stage started (until it ended, if it did). */
  elapsedMs: number;
  /** Items out per second of elapsed time. */
  itemsPerSecond: number;
}

/**
 * The telemetry of one pipeline: stages register here by name.
 *
 * @example
 * ```ts
 * const telemetry = new Telemetry();
 * const out = source.pipeThrough(batch(32, { telemetry })).pipeThrough(prefetch(2, { telemetry }));
 * // ... later, e.g. once per step:
 * console.log(telemetry.summary());
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

/**
 * Renders snapshots as one line (see `Telemetry.summary`).
 *
 * @example
 * ```ts
 * console.log(formatSummary(telemetry.snapshot())); // "read 1200 800/s starved 2% bp 90% | ..."
 * ```
 */
export function formatSummary(stages: StageSnapshot[]): string {
  if (stages.length === 0) return "(no stages)";
  const pct = (ms: number, total: number) => total > 0 ? Math.round((100 * ms) / total) : 0;
  return stages.map((s) =>
    `${s.name} ${s.itemsOut} ${formatRate(s.itemsPerSecond)}/s ` +
    `starved ${pct(s.starvedMs, s.elapsedMs)}% bp ${pct(s.backpressuredMs, s.elapsedMs)}%`
  ).join(" | ");
}

function formatRate(r: number): string {
  if (r >= 1000) return `${(r / 1000).toFixed(1)}k`;
  return r >= 10 ? r.toFixed(0) : r.toFixed(1);
}
