/** Configuration problems that point at the file, line and column (or the `--set`) at fault. */

/**
 * One problem found in a configuration, as {@link ConfigError.issues} lists them.
 *
 * @example Reading the issues of a rejected pipeline
 * ```ts
 * import { ConfigError, type ConfigIssue, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * let issues: ConfigIssue[] = [];
 * try {
 *   parsePipeline("model:\n  encoder: resnet19\n", "p.yaml");
 * } catch (e) {
 *   if (e instanceof ConfigError) issues = e.issues;
 * }
 * assert.equal(issues.length, 1);
 * assert.equal(issues[0].path, "model.encoder");
 * assert.equal(issues[0].line, 2);
 * assert.equal(issues[0].origin, "file");
 * ```
 */
export interface ConfigIssue {
  /** File name, or the `--set key=value` argument the value came from. */
  source: string;
  /** Whether `source` is a file or a `--set` override (which has only a column). */
  origin: "file" | "override";
  /** 1-based line (always 1 for overrides). */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted key path, e.g. `model.encoder` (empty for the document itself). */
  path: string;
  /** What is wrong. */
  message: string;
  /** What would be accepted, e.g. `one of: resnet18, resnet34` or `an integer in [1, 64]`. */
  allowed?: string;
}

/**
 * Formats an issue as `file:line:column: path: message`, then `allowed: ...` on the next line
 * when the issue says what would be accepted.
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.origin === "file"
    ? `${issue.source}:${issue.line}:${issue.column}`
    : `${issue.source} (column ${issue.column})`;
  const path = issue.path ? `${issue.path}: ` : "";
  const allowed = issue.allowed ? `\n    allowed: ${issue.allowed}` : "";
  return `${where}: ${path}${issue.message}${allowed}`;
}

/**
 * Thrown when a configuration does not parse or validate. `message` lists every issue, one per
 * line as `file:line:column: path: message`; `issues` has them as records.
 *
 * @example Every problem is reported at once
 * ```ts
 * import { ConfigError, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const text = "optim:\n  batchSize: 0\nloss:\n  temprature: 0.5\n";
 * assert.throws(() => parsePipeline(text, "p.yaml"), ConfigError);
 * try {
 *   parsePipeline(text, "p.yaml");
 * } catch (e) {
 *   assert.ok(e instanceof ConfigError);
 *   assert.equal(e.issues.length, 2);
 *   assert.match(e.message, /^invalid configuration \(2 problems\)/);
 *   assert.match(e.message, /p\.yaml:4:3: loss\.temprature/);
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly issues: ConfigIssue[];
  /** Builds the error from the issues found (at least one). */
  constructor(issues: ConfigIssue[]) {
    const n = issues.length;
    super(
      `invalid configuration (${n} problem${n === 1 ? "" : "s"}):\n` +
        issues.map((i) => "  " + formatIssue(i)).join("\n"),
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * Levenshtein distance between two strings.
 *
 * @example
 * ```ts
 * editDistance("kitten", "sitting"); // 3
 * ```
 */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(up + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The closest candidate to `word` when it is close enough to be a likely typo.
 *
 * @example
 * ```ts
 * didYouMean("layres", ["layers", "hidden", "out"]); // "layers"
 * ```
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (best !== undefined && bestD <= limit) return best;
  // A prefix or a different spelling of separators ("out_dir" for "outDir") also counts.
  const norm = (x: string) => x.toLowerCase().replace(/[-_ ]/g, "");
  return candidates.find((c) => norm(c) === norm(word) || c.startsWith(word) && word.length >= 3);
}
