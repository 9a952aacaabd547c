/** Writes `report.html` of a run: metrics from `metrics.jsonl`, evaluation, example view pairs. */
import { pairToImages } from "../augment/render.ts";
import { pairedViews } from "../augment/paired.ts";
import { resolveAugment } from "../augment/presets.ts";
import type { BackendInfo } from "../backend/info.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { decodeSample } from "../data/decoder.ts";
import { convertChannels } from "../data/_pixels.ts";
import { createDecoder } from "../data/decoders.ts";
import type { OpenedDataset } from "../data/registry.ts";
import { isEncoded, type RawImage } from "../data/sample.ts";
import {
  renderReport,
  type ReportInput,
  type ResultsTable,
  type ViewPairImage,
} from "../report/render.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import type { StepMetrics } from "../train/step_metrics.ts";
import type { RunEvaluation } from "./evaluate_run.ts";
import { runFiles } from "./run_dir.ts";

/**
 * What the report shows besides a run's metrics file: the evaluation, the backend, the
 * dataset for example view pairs, results tables.
 *
 * @example A titled report with a results table
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { type ReportContext, writeReport } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const run = await Deno.makeTempDir();
 * try {
 *   const ctx: ReportContext = {
 *     title: "probe of my run",
 *     results: [{ title: "Linear probe", rows: [{ name: "pretrained", top1: 0.9 }] }],
 *   };
 *   const html = await Deno.readTextFile(await writeReport(parsePipeline(""), run, ctx));
 *   assert.ok(html.includes("<title>probe of my run</title>"));
 *   assert.ok(html.includes("Linear probe"));
 * } finally {
 *   await Deno.remove(run, { recursive: true });
 * }
 * ```
 */
export interface ReportContext {
  /** The evaluation to show beside the random-init floor. */
  evaluation?: RunEvaluation;
  /** The backend that trained (shown in the header). */
  backend?: BackendInfo;
  /** The training dataset, for example view pairs (indexed datasets only). */
  dataset?: OpenedDataset;
  /** Example pairs to show (default 8). */
  pairs?: number;
  /** Page title (default: the run's). */
  title?: string;
  /** Results tables after the evaluation (few-label fine-tuning). */
  results?: ResultsTable[];
  /** The metrics' objective (default contrastive: SimCLR's). */
  objective?: ReportInput["objective"];
}

/**
 * Renders a run's `report.html` from its `metrics.jsonl` and `ctx`, and writes it atomically.
 *
 * @param cfg The run's config (printed in the report).
 * @param runDir The run directory.
 * @param ctx The evaluation and what else to show.
 * @returns The report's path.
 *
 * @example Rewriting the report of a run directory
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { runFiles, writeReport } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const run = await Deno.makeTempDir();
 * try {
 *   const row = { step: 1, epoch: 0, loss: 5.5, accuracy: 0.2, lr: 0.1, imagesPerSec: 90,
 *     waitMs: 1, computeMs: 20, time: "2026-01-01T00:00:00.000Z" };
 *   await Deno.writeTextFile(runFiles(run).metrics, JSON.stringify(row) + "\n");
 *   const path = await writeReport(parsePipeline("run: { name: mine }\n"), run);
 *   assert.equal(path, runFiles(run).report);
 *   assert.ok((await Deno.readTextFile(path)).includes("SimCLR run: mine"));
 * } finally {
 *   await Deno.remove(run, { recursive: true });
 * }
 * ```
 */
export async function writeReport(
  cfg: PipelineConfig,
  runDir: string,
  ctx: ReportContext = {},
): Promise<string> {
  const files = runFiles(runDir);
  const metrics = await readMetrics(files.metrics);
  const viewPairs = ctx.dataset ? await examplePairs(cfg, ctx.dataset, ctx.pairs ?? 8) : [];
  const e = ctx.evaluation;
  const html = renderReport({
    title: ctx.title,
    results: ctx.results,
    objective: ctx.objective,
    config: cfg,
    metrics,
    eval: e
      ? {
        pretrained: e.pretrained,
        random: e.random,
        trainCount: e.pretrained.trainCount,
        testCount: e.pretrained.testCount,
      }
      : undefined,
    viewPairs,
    info: {
      ...(ctx.backend ? { backend: `${ctx.backend.name}` } : {}),
      "run dir": runDir,
    },
  });
  await writeFileAtomic(files.report, html, "report");
  return files.report;
}

/**
 * Reads the records of a run's `metrics.jsonl`, one per logged step (none when the file does
 * not exist).
 *
 * @param path The metrics file (`runFiles(runDir).metrics`).
 * @returns The records in file order.
 * @throws {Error} naming the line when one is not JSON.
 *
 * @example Reading a metrics file
 * ```ts
 * import { readMetrics } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const rows = [1, 2].map((step) => ({ step, epoch: 0, loss: 6 - step, accuracy: 0.1,
 *     lr: 0.1, imagesPerSec: 90, waitMs: 1, computeMs: 20, time: "2026-01-01T00:00:00.000Z" }));
 *   const text = rows.map((r) => JSON.stringify(r) + "\n").join("");
 *   await Deno.writeTextFile(`${dir}/metrics.jsonl`, text);
 *   const metrics = await readMetrics(`${dir}/metrics.jsonl`);
 *   assert.deepEqual(metrics.map((m) => m.loss), [5, 4]);
 *   assert.deepEqual(await readMetrics(`${dir}/none.jsonl`), []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readMetrics(path: string): Promise<StepMetrics[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const out: StepMetrics[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line; the metrics file is damaged`);
    }
  }
  return out;
}

async function examplePairs(
  cfg: PipelineConfig,
  opened: OpenedDataset,
  n: number,
): Promise<ViewPairImage[]> {
  if (opened.kind !== "indexed") return [];
  const ds = opened.dataset;
  const decoder = await createDecoder(cfg.data.decoder, { maxPixels: cfg.data.maxPixels });
  const views = pairedViews({ ...cfg.augment, seed: cfg.run.seed });
  const spec = resolveAugment(cfg.augment);
  const C = cfg.model.inChannels;
  const out: ViewPairImage[] = [];
  const stride = Math.max(1, Math.floor(ds.length / n));
  for (let i = 0; i < Math.min(n, ds.length); i++) {
    const index = i * stride;
    let image: RawImage;
    try {
      const s = await ds.get(index);
      image = isEncoded(s) ? await decodeSample(decoder, s, C) : s;
    } catch (err) {
      if (cfg.data.onError === "skip") continue; // listed by training already
      throw err;
    }
    if (image.channels !== C) image = { ...image, ...convertChannels(image, C) } as RawImage;
    const [a, b] = pairToImages(views(image, 0, index), spec);
    out.push({
      key: image.key,
      width: a.width,
      height: a.height,
      channels: a.channels,
      view1: a.data,
      view2: b.data,
    });
  }
  return out;
}
