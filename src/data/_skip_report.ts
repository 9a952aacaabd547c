/** The one-line text of a skip report. */
import type { SkipReport } from "./errors.ts";

/**
 * One line for a skip report.
 */
export function formatSkipReport(r: SkipReport): string {
  const more = r.count > r.examples.length ? `; ...` : "";
  return `epoch ${r.epoch}: skipped ${r.count} bad sample${r.count === 1 ? "" : "s"}` +
    (r.examples.length ? ` (${r.examples.join("; ")}${more})` : "");
}
