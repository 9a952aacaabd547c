/** The one-line rendering of a pipeline's telemetry (private to the package). */
import type { StageSnapshot } from "./telemetry.ts";

/**
 * Renders snapshots as one line (see `Telemetry.summary`).
 *
 * @example One stage's line
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSummary } from "./_summary.ts";
 *
 * const read = {
 *   name: "read",
 *   itemsIn: 1200,
 *   itemsOut: 1200,
 *   starvedMs: 30,
 *   backpressuredMs: 1350,
 *   elapsedMs: 1500,
 *   itemsPerSecond: 800,
 * };
 * assert.equal(formatSummary([read]), "read 1200 800/s starved 2% bp 90%");
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
