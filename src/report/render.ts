/**
 * The run report: one self-contained HTML page (inline CSS, SVG charts and PNG data URLs; no
 * scripts, fonts or network) with training curves, evaluation against the random-init floor,
 * example augmented view pairs and the resolved config.
 */
import { stringify } from "yaml";
import type { StepMetrics } from "../train/step_metrics.ts";
import { downsample, lineChart, type Series } from "./_chart.ts";
import { escapeHtml } from "./_escape.ts";
import { formatDuration, formatNumber, formatPercent } from "./_format.ts";
import { pngDataUrl } from "./_png.ts";
import { REPORT_CSS } from "./_style.ts";

/**
 * Evaluation numbers of one encoder (shares, 0..1): kNN top-1/top-5, linear probe top-1 and
 * the online classifier's top-1. The report shows the pretrained encoder's beside the
 * random-init floor's.
 *
 * @example The pretrained encoder against the random-init floor
 * ```ts
 * import { type EvalNumbers, renderReport } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const pretrained: EvalNumbers = { knnTop1: 0.812, knnTop5: 0.98, linearTop1: 0.845 };
 * const random: EvalNumbers = { knnTop1: 0.741, knnTop5: 0.96, linearTop1: 0.78 };
 * const html = renderReport({ metrics: [], eval: { pretrained, random } });
 * assert.ok(html.includes("81.2%"));
 * assert.ok(html.includes("74.1%"));
 * ```
 */
export interface EvalNumbers {
  /** kNN classifier top-1 accuracy on the test split. */
  knnTop1?: number;
  /** kNN classifier top-5 accuracy. */
  knnTop5?: number;
  /** Linear probe top-1 accuracy. */
  linearTop1?: number;
  /** The online linear classifier trained during pretraining, on the test features. */
  onlineTop1?: number;
}

/**
 * A table of classifiers' test accuracy, e.g. few-label fine-tuning against its baselines;
 * {@link ReportInput.results} lists the tables a report shows after the evaluation.
 *
 * @example A fine-tuning table in a report
 * ```ts
 * import { renderReport, type ResultsTable } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const table: ResultsTable = {
 *   title: "Fine-tuning with 1% of the labels",
 *   note: "600 labelled images, 60 per class",
 *   rows: [{ name: "fine-tuned, pretrained encoder", top1: 0.81, top5: 0.99 }],
 * };
 * const html = renderReport({ metrics: [], results: [table] });
 * assert.ok(html.includes("Fine-tuning with 1% of the labels"));
 * assert.ok(html.includes("fine-tuned, pretrained encoder"));
 * ```
 */
export interface ResultsTable {
  /** Heading of the table. */
  title: string;
  /** A sentence under the title (what was trained on what). */
  note?: string;
  /** One row per classifier: its name, a note, and its test accuracy (shares). */
  rows: { name: string; note?: string; top1?: number; top5?: number }[];
}

/**
 * An example pair of augmented views of one sample, 8-bit HWC pixels (the augment module turns
 * normalized views back into them). The report shows them as PNG images.
 *
 * @example Showing a pair of views in a report
 * ```ts
 * import { renderReport, type ViewPairImage } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const pair: ViewPairImage = {
 *   key: "train[0]", width: 4, height: 4, channels: 1,
 *   view1: new Uint8Array(16).fill(200), view2: new Uint8Array(16).fill(50),
 * };
 * const html = renderReport({ metrics: [], viewPairs: [pair] });
 * assert.ok(html.includes("train[0]"));
 * assert.ok(html.includes("data:image/png;base64,"));
 * ```
 */
export interface ViewPairImage {
  /** The sample's key (shown under the pair). */
  key: string;
  /** Width of each view in pixels. */
  width: number;
  /** Height of each view in pixels. */
  height: number;
  /** Channels per pixel: gray, RGB or RGBA. */
  channels: 1 | 3 | 4;
  /** The first view, `height x width x channels` bytes. */
  view1: Uint8Array;
  /** The second view, same layout. */
  view2: Uint8Array;
}

/**
 * Everything the report shows; only `metrics` (the run's `metrics.jsonl` records) is
 * required.
 *
 * @example A report's input from a few metric records
 * ```ts
 * import { renderReport, type ReportInput } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const metrics: ReportInput["metrics"] = [1, 2, 3].map((step) => ({
 *   step, epoch: 0, loss: 6 - step / 2, accuracy: 0.1 * step, lr: 0.1, imagesPerSec: 100,
 *   waitMs: 5, computeMs: 95, time: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString(),
 * }));
 * const input: ReportInput = {
 *   title: "my run", metrics, info: { backend: "cpu" }, generatedAt: new Date(0),
 * };
 * const html = renderReport(input);
 * assert.ok(html.includes("<title>my run</title>"));
 * assert.ok(html.includes("1970-01-01 00:00 UTC"));
 * ```
 */
export interface ReportInput {
  /** Page title (default: "SimCLR run" plus the run name). */
  title?: string;
  /** The resolved config (printed as YAML; `run.name` and a few keys appear in the header). */
  config?: unknown;
  /** One record per logged step (a run's `metrics.jsonl`), drawn as the training curves. */
  metrics: readonly StepMetrics[];
  /** Evaluation of the pretrained encoder beside the random-init floor, and the split sizes. */
  eval?: {
    pretrained?: EvalNumbers;
    random?: EvalNumbers;
    trainCount?: number;
    testCount?: number;
  };
  /** Example pairs of augmented views. */
  viewPairs?: readonly ViewPairImage[];
  /** Results tables shown after the evaluation (e.g. few-label fine-tuning). */
  results?: readonly ResultsTable[];
  /**
   * What the training curves' loss and accuracy are: SimCLR's NT-Xent and contrastive accuracy
   * (default), or a supervised cross-entropy and top-1 (fine-tuning).
   */
  objective?: "contrastive" | "supervised";
  /** Extra facts for the header tiles, e.g. `{ backend: "wasm", "run dir": "runs/x" }`. */
  info?: Record<string, string | number>;
  /** When the report was made (default: now). */
  generatedAt?: Date;
}

const COLORS = {
  blue: "#2563eb",
  orange: "#ea580c",
  green: "#16a34a",
  violet: "#7c3aed",
  gray: "#9ca3af",
};

/**
 * Renders the report page as one self-contained HTML string (inline CSS, SVG charts, PNG data
 * URLs; no scripts, fonts or network requests). A run writes it as `report.html`.
 *
 * @param input What to show; only `metrics` is required.
 * @returns The HTML page.
 *
 * @example Writing a report for a tiny run
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
 *   eval: { pretrained: { knnTop1: 0.8 }, random: { knnTop1: 0.7 } },
 * });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * assert.ok(html.includes("SimCLR run: tiny"));
 * assert.ok(html.includes("<svg"));
 * assert.ok(!html.includes("<script"));
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/report.html`, html);
 *   const bytes = new TextEncoder().encode(html).length;
 *   assert.equal((await Deno.stat(`${dir}/report.html`)).size, bytes);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function renderReport(input: ReportInput): string {
  const cfg = (input.config ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const name = String(cfg.run?.name ?? "");
  const title = input.title ?? (name ? `SimCLR run: ${name}` : "SimCLR run");
  const when = (input.generatedAt ?? new Date()).toISOString().replace("T", " ").slice(0, 16) +
    " UTC";
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="sub">${escapeHtml(subtitle(cfg))} · report generated ${when}</p>`,
    summaryTiles(input),
    input.eval ? evalSection(input.eval, cfg.eval?.knn as KnnNote | undefined) : "",
    ...(input.results ?? []).map(resultsSection),
    chartsSection(input.metrics, input.objective ?? "contrastive"),
    input.viewPairs?.length ? pairsSection(input.viewPairs) : "",
    input.config !== undefined ? configSection(input.config) : "",
    `<footer>Self-contained page: no scripts, fonts or network requests.</footer>`,
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style></head>
<body><main>
${body}
</main></body></html>
`;
}

function subtitle(cfg: Record<string, Record<string, unknown> | undefined>): string {
  const bits: string[] = [];
  if (cfg.data?.dataset) bits.push(String(cfg.data.dataset));
  if (cfg.model?.encoder) {
    bits.push(`${cfg.model.encoder}${cfg.model.stem ? ` (${cfg.model.stem} stem)` : ""}`);
  }
  if (cfg.augment?.preset) bits.push(`${cfg.augment.preset} at ${cfg.augment.size ?? "?"}px`);
  if (cfg.optim?.name) bits.push(`${cfg.optim.name}, batch ${cfg.optim.batchSize ?? "?"}`);
  if (cfg.loss?.temperature !== undefined) bits.push(`τ = ${cfg.loss.temperature}`);
  return bits.join(" · ") || "SimCLR pretraining";
}

function tile(k: string, v: string, note = ""): string {
  return `<div class="tile"><div class="k">${escapeHtml(k)}</div><div class="v">${
    escapeHtml(v)
  }</div>` +
    (note ? `<div class="n">${escapeHtml(note)}</div>` : "") + `</div>`;
}

function mean(values: (number | undefined)[]): number {
  const ok = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

function summaryTiles(input: ReportInput): string {
  const ms = input.metrics;
  const last = ms[ms.length - 1];
  const tiles: string[] = [];
  if (last) {
    const tail = ms.slice(-Math.max(1, Math.ceil(ms.length / 10)));
    tiles.push(
      tile("steps", String(last.step), `epoch ${last.epoch}`),
      tile("final loss", formatNumber(mean(tail.map((m) => m.loss))), "mean of the last 10%"),
    );
    const acc = mean(tail.map((m) => m.accuracy));
    const accName = CURVES[input.objective ?? "contrastive"].tile;
    if (Number.isFinite(acc)) tiles.push(tile(accName, formatPercent(acc), "last 10%"));
    const ips = mean(ms.map((m) => m.imagesPerSec));
    if (Number.isFinite(ips)) tiles.push(tile("throughput", `${formatNumber(ips)} img/s`, "mean"));
    const wait = mean(ms.map(dataWaitShare));
    if (Number.isFinite(wait)) {
      tiles.push(tile("waiting for data", formatPercent(wait), "share of step time"));
    }
    const seconds = (Date.parse(last.time) - Date.parse(ms[0].time)) / 1000;
    if (Number.isFinite(seconds)) tiles.push(tile("wall time", formatDuration(seconds)));
  }
  const pre = input.eval?.pretrained;
  if (pre?.knnTop1 !== undefined) {
    const floor = input.eval?.random?.knnTop1;
    tiles.push(
      tile(
        "kNN top-1",
        formatPercent(pre.knnTop1),
        floor !== undefined ? `random init ${formatPercent(floor)}` : "",
      ),
    );
  }
  if (pre?.linearTop1 !== undefined) {
    const floor = input.eval?.random?.linearTop1;
    tiles.push(
      tile(
        "linear top-1",
        formatPercent(pre.linearTop1),
        floor !== undefined ? `random init ${formatPercent(floor)}` : "",
      ),
    );
  }
  if (pre?.onlineTop1 !== undefined) {
    tiles.push(tile("online top-1", formatPercent(pre.onlineTop1), "trained during pretraining"));
  }
  for (const [k, v] of Object.entries(input.info ?? {})) tiles.push(tile(k, String(v)));
  return tiles.length ? `<section class="tiles">${tiles.join("")}</section>` : "";
}

type KnnNote = { k?: number; temperature?: number };

function evalSection(ev: NonNullable<ReportInput["eval"]>, knn: KnnNote = {}): string {
  const rows: [string, keyof EvalNumbers, string][] = [
    [
      "kNN top-1",
      "knnTop1",
      `k = ${knn.k ?? 200}, cosine, votes weighted by exp(sim / ${knn.temperature ?? 0.1})`,
    ],
    ["kNN top-5", "knnTop5", ""],
    ["Linear probe top-1", "linearTop1", "frozen features, L2 logistic regression"],
    [
      "Online linear top-1",
      "onlineTop1",
      "linear head trained during pretraining on stop-gradient features",
    ],
  ];
  const cell = (v: number | undefined, color: string) =>
    v === undefined ? `<td class="num">–</td>` : `<td class="num">${formatPercent(v)}` +
      `<div class="bar"><span style="width:${
        (Math.max(0, Math.min(1, v)) * 100).toFixed(1)
      }%;background:${color}"></span></div></td>`;
  const body = rows.filter(([, key]) =>
    ev.pretrained?.[key] !== undefined || ev.random?.[key] !== undefined
  )
    .map(([label, key, note]) => {
      const p = ev.pretrained?.[key], r = ev.random?.[key];
      const gain = p !== undefined && r !== undefined
        ? `<td class="${p >= r ? "gain" : "loss"}">${p >= r ? "+" : "−"}${
          (Math.abs(p - r) * 100).toFixed(1)
        } pts</td>`
        : "<td>–</td>";
      return `<tr><td><b>${label}</b>${
        note ? `<div class="note" style="color:var(--muted);font-size:12px">${note}</div>` : ""
      }</td>` +
        cell(p, COLORS.blue) + cell(r, COLORS.gray) + gain + `</tr>`;
    }).join("");
  const counts = ev.trainCount !== undefined
    ? `<p class="sub" style="margin-top:8px">Features of ${ev.trainCount} training and ${
      ev.testCount ?? "?"
    } test images.</p>`
    : "";
  return `<h2>Evaluation against the random-init floor</h2>
<table><thead><tr><th>Metric</th><th>Pretrained</th><th>Random init (floor)</th><th>Gain</th></tr></thead>
<tbody>${body}</tbody></table>${counts}`;
}

function resultsSection(t: ResultsTable): string {
  const cell = (v: number | undefined, color: string) =>
    v === undefined ? `<td class="num">–</td>` : `<td class="num">${formatPercent(v)}` +
      `<div class="bar"><span style="width:${
        (Math.max(0, Math.min(1, v)) * 100).toFixed(1)
      }%;background:${color}"></span></div></td>`;
  const body = t.rows.map((r) =>
    `<tr><td><b>${escapeHtml(r.name)}</b>${
      r.note
        ? `<div class="note" style="color:var(--muted);font-size:12px">${escapeHtml(r.note)}</div>`
        : ""
    }</td>${cell(r.top1, COLORS.blue)}${cell(r.top5, COLORS.green)}</tr>`
  ).join("");
  return `<h2>${escapeHtml(t.title)}</h2>` +
    (t.note ? `<p class="sub">${escapeHtml(t.note)}</p>` : "") +
    `<table><thead><tr><th>Classifier</th><th>Test top-1</th><th>Test top-5</th></tr></thead>` +
    `<tbody>${body}</tbody></table>`;
}

function ema(values: readonly number[], alpha: number): number[] {
  const out: number[] = [];
  let s = NaN;
  for (const v of values) {
    if (Number.isFinite(v)) s = Number.isFinite(s) ? alpha * v + (1 - alpha) * s : v;
    out.push(s);
  }
  return out;
}

/** Share (0..1) of a step's time spent waiting for data. */
function dataWaitShare(m: StepMetrics): number {
  return m.waitMs / Math.max(1e-9, m.waitMs + m.computeMs);
}

/** Titles and notes of the loss and accuracy curves, by training objective. */
const CURVES = {
  contrastive: {
    loss: ["NT-Xent loss", "per step, with a moving average"],
    accuracy: ["Contrastive accuracy", "share of anchors whose positive view ranks first"],
    tile: "contrastive acc.",
    throughput: "images per second (both views counted)",
  },
  supervised: {
    loss: ["Cross-entropy loss", "per step, with a moving average"],
    accuracy: ["Training top-1", "share of each step's augmented images classified right"],
    tile: "training top-1",
    throughput: "images per second",
  },
} as const;

function chartsSection(
  ms: readonly StepMetrics[],
  objective: keyof typeof CURVES,
): string {
  const titles = CURVES[objective];
  const bucket = Math.max(1, Math.ceil(ms.length / 1500));
  const steps = ms.map((m) => m.step);
  const pick = (f: (m: StepMetrics) => number | undefined) => downsample(steps, ms.map(f), bucket);
  const markers: { x: number; label: string }[] = [];
  for (let i = 1; i < ms.length; i++) {
    if (ms[i].epoch !== ms[i - 1].epoch) {
      markers.push({ x: ms[i].step, label: `epoch ${ms[i].epoch}` });
    }
  }
  // Too many epoch lines clutter the plot: keep about 12.
  const every = Math.max(1, Math.ceil(markers.length / 12));
  const shown = markers.filter((_, i) => i % every === 0);
  const alpha = Math.min(1, 2 / (Math.max(ms.length, 1) / 25 + 1));
  const card = (
    title: string,
    note: string,
    legend: [string, string][],
    series: Series[],
    extra: object = {},
  ) => {
    const leg = legend.length > 1
      ? `<div class="legend">${
        legend.map(([n, c]) => `<span><i style="background:${c}"></i>${escapeHtml(n)}</span>`).join(
          "",
        )
      }</div>`
      : "";
    return `<div class="card"><h3>${escapeHtml(title)}</h3><p class="note">${
      escapeHtml(note)
    }</p>${leg}` +
      lineChart({ series, xLabel: "step", markers: shown, empty: "not recorded", ...extra }) +
      `</div>`;
  };
  const loss = pick((m) => m.loss);
  const acc = pick((m) => m.accuracy);
  const lr = pick((m) => m.lr);
  const ips = pick((m) => m.imagesPerSec);
  const wait = pick(dataWaitShare);
  const pct = { yMin: 0, yMax: 1, yFormat: (v: number) => `${Math.round(v * 100)}%` };
  const online = ms.some((m) => m.onlineTop1 !== undefined);
  const onlineTop1 = pick((m) => m.onlineTop1);
  const onlineLoss = pick((m) => m.onlineLoss);
  return `<h2>Training</h2><div class="charts">
${
    card(titles.loss[0], titles.loss[1], [["per step", "#93c5fd"], [
      "moving average",
      COLORS.blue,
    ]], [
      { name: "loss", ...loss, color: "#93c5fd", width: 1.1 },
      { name: "moving average", x: loss.x, y: ema(loss.y, alpha), color: COLORS.blue, width: 2.2 },
    ])
  }
${
    card(titles.accuracy[0], titles.accuracy[1], [], [
      { name: "accuracy", ...acc, color: COLORS.green, width: 1.3, opacity: 0.55 },
      { name: "moving average", x: acc.x, y: ema(acc.y, alpha), color: COLORS.green, width: 2.2 },
    ], pct)
  }
${
    card("Learning rate", "warmup, then cosine decay", [], [{
      name: "lr",
      ...lr,
      color: COLORS.violet,
      width: 2,
    }], { yMin: 0 })
  }
${
    card("Throughput", titles.throughput, [], [
      { name: "images/s", ...ips, color: COLORS.orange, width: 1.3, opacity: 0.55 },
      { name: "moving average", x: ips.x, y: ema(ips.y, alpha), color: COLORS.orange, width: 2.2 },
    ], { yMin: 0 })
  }
${
    card(
      "Waiting for data",
      "share of step time the accelerator waited for the input pipeline",
      [],
      [
        { name: "data wait", ...wait, color: "#64748b", width: 1.3, opacity: 0.55 },
        { name: "moving average", x: wait.x, y: ema(wait.y, alpha), color: "#334155", width: 2.2 },
      ],
      pct,
    )
  }
${
    online
      ? card(
        "Online linear classifier: top-1",
        "on each step's first views and labels, before its update (the head trains on them; " +
          "the encoder never sees its gradient)",
        [],
        [
          { name: "top-1", ...onlineTop1, color: COLORS.violet, width: 1.3, opacity: 0.55 },
          {
            name: "moving average",
            x: onlineTop1.x,
            y: ema(onlineTop1.y, alpha),
            color: COLORS.violet,
            width: 2.2,
          },
        ],
        pct,
      ) +
        card("Online linear classifier: loss", "cross-entropy on each step's first views", [], [
          { name: "loss", ...onlineLoss, color: "#c4b5fd", width: 1.1 },
          {
            name: "moving average",
            x: onlineLoss.x,
            y: ema(onlineLoss.y, alpha),
            color: COLORS.violet,
            width: 2.2,
          },
        ], { yMin: 0 })
      : ""
  }
</div>`;
}

function pairsSection(pairs: readonly ViewPairImage[]): string {
  const cards = pairs.map((p) => {
    const a = pngDataUrl(p.view1, p.width, p.height, p.channels);
    const b = pngDataUrl(p.view2, p.width, p.height, p.channels);
    const key = escapeHtml(p.key);
    return `<figure class="pair" style="margin:0"><div class="imgs"><img src="${a}" alt="view 1 of ${key}">` +
      `<img src="${b}" alt="view 2 of ${key}"></div><figcaption class="key" title="${key}">${key}</figcaption></figure>`;
  }).join("");
  return `<h2>Augmented view pairs</h2>
<p class="sub">Each card shows the two random views of one image that the loss treats as a positive pair.</p>
<div class="pairs">${cards}</div>`;
}

function configSection(config: unknown): string {
  return `<h2>Configuration</h2><details open><summary>resolved config.yaml</summary>
<pre>${escapeHtml(stringify(config, { lineWidth: 0 }))}</pre></details>`;
}
