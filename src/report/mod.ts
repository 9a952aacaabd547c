/**
 * The run report: a self-contained HTML page with SVG training curves, evaluation against the
 * random-init floor and augmented view pairs; plus the PNG encoder and chart helpers it uses,
 * and the progress line shown while training.
 *
 * @example
 * ```ts
 * import { renderReport } from "./src/report/mod.ts";
 * await Deno.writeTextFile("runs/x/report.html", renderReport({ config, metrics, eval: scores }));
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
export { type ChartOptions, downsample, lineChart, niceTicks, type Series } from "./chart.ts";
export { crc32, denormalizeView, encodePng, pngDataUrl } from "./png.ts";
export { formatDuration, formatNumber, formatPercent } from "./format.ts";
export { escapeHtml } from "./escape.ts";
export {
  type NeighborEntry,
  type NeighborsPage,
  renderNeighborsPage,
  type Thumbnail,
} from "./neighbors_page.ts";
export {
  CHROMIUM_FLAGS,
  findChromium,
  renderInChromium,
  type ScreenshotResult,
} from "./screenshot.ts";
