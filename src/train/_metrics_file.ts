/** The `metrics.jsonl` file: its writer, and its cut on resume (private to the package). */
import { JsonlAppender, truncateJsonl } from "../streams/jsonl_file.ts";
import type { StepMetrics } from "./step_metrics.ts";

/** Appends metrics to a JSONL file (one object per line); a failed write names the file. */
export class JsonlMetricsWriter {
  readonly #out: JsonlAppender<StepMetrics>;

  constructor(readonly path: string) {
    this.#out = new JsonlAppender(path, "metrics");
  }

  /** Appends one line. */
  async write(m: StepMetrics): Promise<void> {
    await this.#out.write(m);
  }

  /** Closes the file. */
  close(): void {
    this.#out.close();
  }
}

/**
 * Cuts a metrics file back to the records of steps up to `step` (a resumed run's checkpoint),
 * so the rows a killed run wrote after its checkpoint are not followed by the resumed run's
 * rows for the same steps. Returns the number of lines dropped.
 */
export async function truncateMetrics(path: string, step: number): Promise<number> {
  const r = await truncateJsonl<StepMetrics>(path, (m) => m.step <= step, "metrics");
  return r.dropped;
}
