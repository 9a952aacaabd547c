/** Inline SVG line charts: axes with round ticks, grid, several series, optional markers. */
import { escapeHtml } from "./_escape.ts";
import { formatNumber } from "./_format.ts";

/**
 * One line on a chart; `y` may hold `NaN`/`undefined` for gaps.
 */
export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number | undefined>;
  color: string;
  /** Stroke width (default 1.6). */
  width?: number;
  /** Stroke opacity (default 1). */
  opacity?: number;
}

/**
 * Options for {@link lineChart}.
 */
export interface ChartOptions {
  series: Series[];
  xLabel?: string;
  yLabel?: string;
  /** Fixed y range ends (default: the data's, padded). */
  yMin?: number;
  yMax?: number;
  /** Tick label format (default {@link formatNumber}). */
  yFormat?: (v: number) => string;
  /** x positions of faint vertical markers (e.g. epoch starts) and their labels. */
  markers?: { x: number; label: string }[];
  width?: number;
  height?: number;
  /** Text shown when there is no data. */
  empty?: string;
}

/**
 * Round tick values covering `[lo, hi]`, about `count` of them (steps of 1, 2 or 5 x 10^k).
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999)!;
  const out: number[] = [];
  const start = Math.floor(lo / step + 1e-9) * step;
  for (let v = start; v <= hi + step * 0.999; v += step) {
    out.push(Number((Math.round(v / step) * step).toPrecision(12)));
    if (v >= hi - 1e-12 * Math.abs(hi)) break;
  }
  return out;
}

/**
 * Mean of each run of `bucket` consecutive points, so long runs stay light in the page.
 */
export function downsample(
  x: ArrayLike<number>,
  y: ArrayLike<number | undefined>,
  bucket: number,
): { x: number[]; y: number[] } {
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < x.length; i += bucket) {
    let sx = 0, sy = 0, n = 0;
    for (let j = i; j < Math.min(i + bucket, x.length); j++) {
      const v = y[j];
      if (v === undefined || !Number.isFinite(v)) continue;
      sx += x[j];
      sy += v;
      n++;
    }
    if (n) {
      ox.push(sx / n);
      oy.push(sy / n);
    } else {
      ox.push(x[i]);
      oy.push(NaN);
    }
  }
  return { x: ox, y: oy };
}

/**
 * An `<svg>` line chart that scales to its container's width.
 */
export function lineChart(options: ChartOptions): string {
  const W = options.width ?? 560, H = options.height ?? 250;
  const m = { left: 56, right: 14, top: 12, bottom: options.xLabel ? 40 : 26 };
  const fmt = options.yFormat ?? formatNumber;
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of options.series) {
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (y === undefined || !Number.isFinite(y)) continue;
      xMin = Math.min(xMin, s.x[i]);
      xMax = Math.max(xMax, s.x[i]);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  const open = `<svg class="chart" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" ` +
    `role="img" preserveAspectRatio="xMidYMid meet">`;
  if (!Number.isFinite(xMin)) {
    return `${open}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">` +
      `${escapeHtml(options.empty ?? "no data")}</text></svg>`;
  }
  if (options.yMin !== undefined) yMin = Math.min(yMin, options.yMin);
  if (options.yMax !== undefined) yMax = Math.max(yMax, options.yMax);
  if (yMax === yMin) {
    const pad = Math.abs(yMax) * 0.1 || 1;
    yMin -= pad;
    yMax += pad;
  }
  const yTicks = niceTicks(yMin, yMax, 5);
  const lo = Math.min(yTicks[0], yMin), hi = Math.max(yTicks[yTicks.length - 1], yMax);
  if (xMax === xMin) xMax = xMin + 1;
  const xTicks = niceTicks(xMin, xMax, 6).filter((v) => v >= xMin - 1e-9 && v <= xMax + 1e-9);
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + (x - xMin) / (xMax - xMin) * pw;
  const sy = (y: number) => m.top + (1 - (y - lo) / (hi - lo)) * ph;
  const f = (v: number) => v.toFixed(1);
  const parts: string[] = [open];
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" class="plot-bg"/>`,
  );
  for (const mk of options.markers ?? []) {
    if (mk.x < xMin || mk.x > xMax) continue;
    parts.push(
      `<line x1="${f(sx(mk.x))}" x2="${f(sx(mk.x))}" y1="${m.top}" y2="${
        m.top + ph
      }" class="marker"/>`,
      `<text x="${f(sx(mk.x) + 3)}" y="${m.top + 10}" class="marker-label">${
        escapeHtml(mk.label)
      }</text>`,
    );
  }
  for (const t of yTicks) {
    const y = f(sy(t));
    parts.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${m.left - 6}" y="${y}" dy="0.32em" text-anchor="end" class="tick">${
        escapeHtml(fmt(t))
      }</text>`,
    );
  }
  for (const t of xTicks) {
    const x = f(sx(t));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" class="axis"/>`,
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" class="tick">${
        escapeHtml(formatNumber(t))
      }</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" class="axis"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" class="axis"/>`,
  );
  for (const s of options.series) {
    let d = "";
    let pen = false;
    let points = 0;
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (y === undefined || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${f(sx(s.x[i]))} ${f(sy(y))}`;
      pen = true;
      points++;
    }
    if (!points) continue;
    const opacity = s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : "";
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.6}"` +
        `${opacity} stroke-linejoin="round" stroke-linecap="round"><title>${
          escapeHtml(s.name)
        }</title></path>`,
    );
    if (points === 1) {
      const i = Array.from(s.y).findIndex((v) => v !== undefined && Number.isFinite(v));
      parts.push(`<circle cx="${f(sx(s.x[i]))}" cy="${f(sy(s.y[i]!))}" r="3" fill="${s.color}"/>`);
    }
  }
  if (options.xLabel) {
    parts.push(
      `<text x="${m.left + pw / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${
        escapeHtml(options.xLabel)
      }</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}
