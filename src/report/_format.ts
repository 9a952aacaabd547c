/** Number formatting for axes, tables and progress lines. */

/**
 * A short human form: 3 significant digits, `k`/`M` suffixes, exponent for tiny values.
 *
 * @example
 * ```ts
 * formatNumber(1234); // "1.23k"
 * formatNumber(0.000123); // "1.23e-4"
 * ```
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6) return trim((v / 1e6).toPrecision(3)) + "M";
  if (a >= 1e4) return trim((v / 1e3).toPrecision(3)) + "k";
  if (a >= 1e3) return trim((v / 1e3).toPrecision(3)) + "k";
  if (a < 1e-3) {
    const [m, e] = v.toExponential(2).split("e");
    return `${trim(m)}e${Number(e)}`;
  }
  return trim(v.toPrecision(3));
}

function trim(s: string): string {
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * A share (0..1) as a percentage with `digits` decimals.
 *
 * @example
 * ```ts
 * formatPercent(0.8123); // "81.2%"
 * ```
 */
export function formatPercent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : "n/a";
}

/**
 * Seconds as `1h02m`, `3m05s` or `12s`; `--` when unknown (undefined, negative or not finite).
 *
 * @example
 * ```ts
 * formatDuration(185); // "3m05s"
 * ```
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
