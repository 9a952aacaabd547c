/**
 * The run report: a self-contained HTML page (inline CSS, SVG training curves, PNG data URLs;
 * no scripts or network) with the training curves, the evaluation against the random-init
 * floor, results tables and augmented view pairs; the nearest-neighbours page; and the
 * progress line shown while training.
 *
 * The training path writes `report.html` with {@link renderReport} (through `writeReport` of
 * `@simclr/streams/pipeline`, which reads a run's files) and shows progress with
 * {@link ProgressBar}.
 *
 * @example A report for a run of three steps
 * ```ts
 * import { renderReport, type ReportInput } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const metrics: ReportInput["metrics"] = [1, 2, 3].map((step) => ({
 *   step, epoch: 0, loss: 6 - step / 2, accuracy: 0.1 * step, lr: 0.1, imagesPerSec: 100,
 *   waitMs: 5, computeMs: 95, time: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString(),
 * }));
 * const html = renderReport({
 *   config: { run: { name: "tiny" } },
 *   metrics,
 *   eval: { pretrained: { knnTop1: 0.8, linearTop1: 0.82 }, random: { knnTop1: 0.7 } },
 * });
 * assert.ok(html.includes("SimCLR run: tiny"));
 * assert.ok(html.includes("80.0%"));
 * ```
 * @module
 */
export {
  type EvalNumbers,
  renderReport,
  type ReportInput,
  type ResultsTable,
  type ViewPairImage,
} from "./render.ts";
export {
  ProgressBar,
  type ProgressOptions,
  type ProgressState,
  type TextSink,
} from "./progress_bar.ts";
export {
  type NeighborEntry,
  type NeighborsPage,
  renderNeighborsPage,
  type Thumbnail,
} from "./neighbors_page.ts";
