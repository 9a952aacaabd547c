/**
 * The whole job, built from the other modules' stages: SimCLR pretraining from a pipeline
 * config with checkpoints, resume and Ctrl-C handling ({@link pretrain}); evaluation against
 * the random-init floor ({@link evaluateRun}); the report ({@link writeReport}); few-label
 * fine-tuning ({@link finetune}); embedding images with a run's encoder ({@link embedDataset})
 * and searching the embedding ({@link nearestRows}); exporting the encoder for TensorFlow.js
 * ({@link exportTfjs}); and opening a finished run ({@link loadRunConfig}, {@link loadRunModel},
 * {@link runFiles}).
 *
 * The training path is {@link pretrain}: what `deno task pretrain` runs. To compose a loop of
 * your own, {@link trainingBatches} gives the training input as one stream of batches and
 * {@link modelConfigOf}, {@link optimizerOf}, {@link planSteps} and {@link scheduleOf} turn a
 * config into what `trainer` of `@simclr/streams/train` takes.
 *
 * @example Pretraining on a tiny dataset
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { pretrain, runFiles } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * // A tiny dataset in MNIST's file layout: 8x8 gray images of two classes.
 * const dir = await Deno.makeTempDir();
 * const gz = (magic: number, dims: number[], body: number[]) => {
 *   const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
 *   head.setUint32(0, magic);
 *   dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
 *   return gzipSync(Uint8Array.from([...new Uint8Array(head.buffer), ...body]));
 * };
 * for (const [split, n] of [["train", 16], ["t10k", 8]] as const) {
 *   const labels = Array.from({ length: n }, (_, i) => i % 2);
 *   // class 0: horizontal stripes, class 1: vertical ones
 *   const pixels = Array.from({ length: n * 64 }, (_, p) =>
 *     ((labels[p >> 6] ? p : p >> 3) % 8) * 30);
 *   await Deno.writeFile(`${dir}/${split}-images-idx3-ubyte.gz`, gz(0x803, [n, 8, 8], pixels));
 *   await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte.gz`, gz(0x801, [n], labels));
 * }
 * try {
 *   const cfg = parsePipeline(`
 * run: { outDir: ${dir}/runs }
 * data: { dataset: mnist, path: ${dir}, workers: 0 }
 * augment: { preset: simclr-gray, size: 8 }
 * model: { encoder: small, stem: cifar, inChannels: 1, head: { layers: 2, hidden: 8, out: 4 } }
 * optim: { epochs: 1, batchSize: 8, warmupEpochs: 0 }
 * train: { backend: wasm }
 * `, "tiny.yaml");
 *   const result = await pretrain(cfg, { evaluate: false, progress: false, log: () => {} });
 *   assert.equal(result.steps, 2); // 16 images, 8 pairs a step
 *   assert.ok((await Deno.stat(runFiles(result.runDir).checkpoint)).isFile);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 * @module
 */
export { pretrain, type PretrainOptions, type PretrainResult } from "./pretrain.ts";
export {
  finetune,
  type FinetuneOptions,
  type FinetuneResult,
  type LabelledSubsetInfo,
  type TestAccuracy,
} from "./finetune.ts";
export { evaluateRun, type EvaluateRunOptions, type RunEvaluation } from "./evaluate_run.ts";
export { readMetrics, type ReportContext, writeReport } from "./report.ts";
export { loadRunConfig, loadRunModel } from "./load_run.ts";
export { resumeTarget, type RunFiles, runFiles } from "./run_dir.ts";
export { RESUME_CHANGEABLE, resumeMayChange } from "./resume_changes.ts";
export { embedDataset, type EmbedOptions, type EmbedResult, embedSourceOf } from "./embed.ts";
export { nearestRows, type NeighborHit, readRow, rowOfKey } from "./neighbors.ts";
export { type EncoderMetadata, exportTfjs } from "./export_tfjs.ts";
export { modelConfigOf, optimizerOf, planSteps, scheduleOf, type StepPlan } from "./build.ts";
export { trainingBatches, type TrainingInputOptions } from "./input.ts";
