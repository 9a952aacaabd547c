/** Configuration problems that point at the file, line and column (or the `--set`) at fault. */

/**
 * One problem found in a configuration.
 *
 * @example
 * ```ts
 * const issue: ConfigIssue = {
 *   source: "p.yaml", origin: "file", line: 2, column: 12,
 *   path: "model.encoder", message: "'resnet19' is not an allowed value",
 * };
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
 * Formats an issue as `file:line:column: path: message (allowed: ...)`.
 *
 * @example
 * ```ts
 * formatIssue(issue); // "p.yaml:2:12: model.encoder: ... \n    allowed: one of: ..."
 * ```
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
 * line; `issues` has them as records.
 *
 * @example
 * ```ts
 * try {
 *   parsePipeline(text, "p.yaml");
 * } catch (e) {
 *   if (e instanceof ConfigError) console.error(e.message); // one line per issue
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly issues: ConfigIssue[];
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
