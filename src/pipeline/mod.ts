/**
 * The whole job, built from the other modules' stages: training input, pretraining with
 * checkpoints and Ctrl-C handling, evaluation against the random-init floor, the report.
 * @module
 */

/**
 * Runs SimCLR pretraining as a pipeline config describes, then evaluates and writes the report.
 *
 * @example
 * ```ts
 * import { loadPipeline } from "../config/mod.ts";
 * import { pretrain } from "./mod.ts";
 * const cfg = await loadPipeline("pipelines/fashion-mnist.yaml");
 * const { runDir, evaluation } = await pretrain(cfg, { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export { pretrain, type PretrainOptions, type PretrainResult } from "./pretrain.ts";
/**
 * Few-label fine-tuning of a pretraining run (`deno task finetune`): a class-balanced labelled
 * subset by seed, the pretrained and a random-init encoder fine-tuned with a new linear head,
 * both scored beside a linear probe on the same labels.
 *
 * @example
 * ```ts
 * import { finetune } from "./mod.ts";
 * const r = await finetune({ run: "runs/fashion-mnist-20260101-120000", labels: "1%" });
 * console.log(r.pretrained?.top1, r.random?.top1, r.probe?.top1);
 * ```
 */
export {
  finetune,
  type FinetuneOptions,
  type FinetuneResult,
  type LabelledSubsetInfo,
  type TestAccuracy,
} from "./finetune.ts";
/**
 * The online linear classifier a pipeline asks for (`eval.online`, `eval.onlineHead`).
 *
 * @example
 * ```ts
 * import { onlineClassifierOf } from "./mod.ts";
 * const online = onlineClassifierOf(cfg, plan, dataset, model.encoder.featureDim);
 * ```
 */
export { describeOnline, onlineClassifierOf } from "./online.ts";
/**
 * The training loop of `pretrain()`: micro-batches from an input stream into a trainer, with
 * the stop vote, the kNN monitor and (several ranks) lockstep and weights checks.
 *
 * @example
 * ```ts
 * import { SingleCommunicator } from "../distributed/mod.ts";
 * import { ranksOf, trainLoop } from "./mod.ts";
 * const sink = trainer({ model, optimizer, learningRate: () => 0.1, state });
 * const ranks = ranksOf(new SingleCommunicator({ listenForStop: false }), { accumulate: 1 });
 * const end = await trainLoop({ input: batches, trainer: sink, model, ranks, microSteps: 1000 });
 * ```
 */
export { trainLoop, type TrainLoopOptions } from "./train_loop.ts";
/**
 * What several ranks add to a run, behind one object (a do-nothing one for one process).
 *
 * @example
 * ```ts
 * import { createCommunicator } from "../distributed/mod.ts";
 * import { ranksOf } from "./mod.ts";
 * const ranks = ranksOf(await createCommunicator("auto"), { accumulate: 2, globalBn: true });
 * const runDir = await ranks.shareRunDir(ranks.root ? "runs/x" : undefined);
 * ```
 */
export { type EarlyEnd, type Ranks, ranksOf, type RanksOptions, type Vote } from "./ranks.ts";
/**
 * Where the training input continues after a checkpoint: every rank's position in its part of the
 * epoch order, past the samples skipped under `data.onError: skip`, gathered per micro-batch by
 * the loop's vote and stored in the checkpoint; the resume point it gives this rank.
 *
 * @example
 * ```ts
 * import { ReadPositions, resumePosition, trainLoop } from "./mod.ts";
 * const positions = new ReadPositions(); // checkpoint: { dataPosition: (s) => positions.of(s) }
 * await trainLoop({ input, trainer: sink, model, ranks, microSteps, positions });
 * const start = resumePosition(ck.meta.dataPosition, { checkpoint: path, nextMicroStep,
 *   microStepsPerEpoch, microBatch, rank: 0, worldSize: 1, shards: false });
 * ```
 */
export {
  type DataPosition,
  ReadPositions,
  resumePosition,
  type ResumeSetting,
} from "./data_position.ts";
/**
 * The training input as one stream of batches: epoch order, decode + augmentation in a worker
 * pool, whole-epoch batches, prefetch.
 *
 * @example
 * ```ts
 * import { openDataset } from "../data/mod.ts";
 * import { trainingBatches } from "./mod.ts";
 * const dataset = await openDataset("fashion-mnist");
 * const batches = trainingBatches({
 *   dataset, augment: { preset: "simclr-gray", size: 28 }, channels: 1, batchSize: 256,
 *   microStepsPerEpoch: 234, seed: 0, epochs: 10, workers: 2, prefetch: 2,
 * });
 * ```
 */
export { limitDataset, trainingBatches, type TrainingInputOptions } from "./input.ts";
/**
 * Packs view pairs into batches of whole epochs (`TransformStream<ViewPair, Batch>`).
 *
 * @example
 * ```ts
 * import { packBatches } from "./mod.ts";
 * const batches = pairs.pipeThrough(packBatches({ size: 64, firstMicroStep: 0 }));
 * ```
 */
export { pack, packBatches, type PackOptions } from "./pack_batches.ts";
/**
 * The objects a pipeline config describes: model config, optimizer, step plan, LR schedule.
 *
 * @example
 * ```ts
 * import { modelConfigOf, planSteps } from "./mod.ts";
 * const plan = planSteps(cfg, 60000); // { stepsPerEpoch, microStepsPerEpoch, totalSteps, ... }
 * const modelConfig = modelConfigOf(cfg);
 * ```
 */
export {
  maxStepsNote,
  modelConfigOf,
  optimizerOf,
  planSteps,
  scheduleOf,
  type StepPlan,
} from "./build.ts";
/**
 * kNN and linear probe of a model's encoder, and of a random-init one as the floor.
 *
 * @example
 * ```ts
 * import { evaluateRun } from "./mod.ts";
 * const { pretrained, random } = await evaluateRun(cfg, model);
 * ```
 */
export {
  type EvalData,
  evalSampleIndices,
  evaluateRun,
  type EvaluateRunOptions,
  openEvalData,
  type RunEvaluation,
} from "./evaluate_run.ts";
/**
 * Un-augmented, normalized labelled batches for evaluation.
 *
 * @example
 * ```ts
 * import { evalBatches, indexRange } from "./mod.ts";
 * const batches = evalBatches(dataset, {
 *   augment: { preset: "simclr-gray", size: 28 }, channels: 1, indices: indexRange(1000), decoder,
 * });
 * ```
 */
export { evalBatches, type EvalBatchOptions, indexRange } from "./eval_data.ts";
/**
 * Writes a run's `report.html`.
 *
 * @example
 * ```ts
 * import { writeReport } from "./mod.ts";
 * const path = await writeReport(cfg, "runs/fashion-mnist-20260101-000000");
 * ```
 */
export { readMetrics, type ReportContext, writeReport } from "./report.ts";
/**
 * A run directory's config and model.
 *
 * @example
 * ```ts
 * import { loadRunConfig, loadRunModel } from "./mod.ts";
 * const cfg = await loadRunConfig("runs/x");
 * const { model } = await loadRunModel("runs/x", cfg);
 * ```
 */
export { loadRunConfig, loadRunModel } from "./load_run.ts";
/**
 * The files of a run directory; creating a new one exclusively; what `--resume` points at.
 *
 * @example
 * ```ts
 * import { runFiles } from "./mod.ts";
 * console.log(runFiles("runs/x").report); // runs/x/report.html
 * ```
 */
export { claimRunDir, createRunDir, resumeTarget, runFiles } from "./run_dir.ts";
/**
 * What a resume may change in a run's config (how it executes, not what it trains).
 *
 * @example
 * ```ts
 * import { resumeMayChange } from "./mod.ts";
 * resumeMayChange("data.workers"); // true
 * ```
 */
export {
  assertResumable,
  type ConfigChange,
  configChanges,
  RESUME_CHANGEABLE,
  resumeMayChange,
} from "./resume_changes.ts";
/**
 * A run's list of skipped samples (`skipped.jsonl`).
 *
 * @example
 * ```ts
 * import { SkippedFile } from "./mod.ts";
 * const list = await SkippedFile.open("runs/x/skipped.jsonl");
 * ```
 */
export { SkippedFile, type SkippedRecord } from "./skipped_file.ts";
/**
 * The worker module of the training input (decode + paired views).
 *
 * @example
 * ```ts
 * import { createMapper } from "./view_worker.ts";
 * const map = await createMapper({ augment: { preset: "simclr-cifar" }, channels: 3 });
 * ```
 */
export type { ViewFailure, ViewWorkerInit } from "./view_worker.ts";
/**
 * Embedding a folder, tar shards or a named dataset with a run's encoder into `.npy` + keys,
 * streamed (what `deno task embed` runs).
 *
 * @example
 * ```ts
 * import { embedDataset, embedSourceOf, loadRunConfig, loadRunModel } from "./mod.ts";
 * const cfg = await loadRunConfig("runs/x");
 * const { model, step } = await loadRunModel("runs/x", cfg);
 * const source = await embedSourceOf("photos/");
 * const { meta } = await embedDataset({ model, cfg, run: "runs/x", step, source, out: "photos.npy" });
 * ```
 */
export {
  embedDataset,
  type EmbedOptions,
  type EmbedResult,
  embedSourceOf,
  openEmbedSource,
} from "./embed.ts";
/**
 * Nearest neighbours in an embedding (what `deno task neighbors` runs).
 *
 * @example
 * ```ts
 * import { nearestRows, readRow, rowOfKey } from "./mod.ts";
 * import { readEmbeddingKeys } from "../search/mod.ts";
 * const keys = await readEmbeddingKeys("photos.npy");
 * const row = rowOfKey(keys, "photos/cat.jpg");
 * const hits = await nearestRows("photos.npy", keys, await readRow("photos.npy", row), 10, row);
 * ```
 */
export {
  embedImageFile,
  fetchSamples,
  nearestRows,
  type NeighborHit,
  readRow,
  rowOfKey,
  thumbnail,
} from "./neighbors.ts";
/**
 * A run's encoder as a TensorFlow.js LayersModel folder with its input in the metadata.
 *
 * @example
 * ```ts
 * import { exportTfjs } from "./mod.ts";
 * const { modelJson } = await exportTfjs(cfg, model, "runs/x", step, "runs/x/tfjs");
 * ```
 */
export { type EncoderMetadata, encoderMetadata, exportTfjs } from "./export_tfjs.ts";
/**
 * The worker module of the evaluation input (decode + `evalView`).
 *
 * @example
 * ```ts
 * const init: EvalViewWorkerInit = { view: { size: 28, mean: [0.286], std: [0.353] }, channels: 1 };
 * ```
 */
export type { EvalViewFailure, EvalViewItem, EvalViewWorkerInit } from "./eval_view_worker.ts";
