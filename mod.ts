/**
 * SimCLR self-supervised pretraining of image encoders, as composable WHATWG streams on Deno
 * and TensorFlow.js: sources and decode (`src/data`), generic stream stages (`src/streams`),
 * SimCLR augmentation (`src/augment`), ResNet encoders and projection heads (`src/model`),
 * NT-Xent, LARS and the training stages (`src/train`), evaluation (`src/eval`), YAML pipelines
 * (`src/config`), reports (`src/report`), multi-process training (`src/dist`), backends
 * (`src/backend`) and the whole job (`src/pipeline`).
 *
 * @example
 * ```ts
 * import { loadPipeline, pretrain } from "./mod.ts";
 * const cfg = await loadPipeline("pipelines/fashion-mnist.yaml", {
 *   overrides: ["optim.epochs=1", "data.maxSamples=2048"],
 * });
 * const result = await pretrain(cfg);
 * console.log(result.evaluation?.pretrained.knnTop1, result.reportPath);
 * ```
 * @module
 */

export * from "./src/backend/mod.ts";
export * from "./src/streams/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/augment/mod.ts";
export * from "./src/model/mod.ts";
export * from "./src/train/mod.ts";
export * from "./src/eval/mod.ts";
export * from "./src/config/mod.ts";
export * from "./src/report/mod.ts";
export * from "./src/search/mod.ts";
export * from "./src/distributed/mod.ts";
export * from "./src/pipeline/mod.ts";

// Names that two modules export: the explicit exports below settle which one a name means.
/**
 * The one-line progress text of a training step (loss, views/s, data wait).
 *
 * @example
 * ```ts
 * import { formatProgress } from "./mod.ts";
 * console.log(formatProgress({ step: 10, epoch: 0, loss: 4.2, accuracy: 0.3, lr: 0.1,
 *   imagesPerSec: 120, waitMs: 2, computeMs: 900, time: new Date().toISOString() }, 100));
 * ```
 */
export { formatProgress, peakLearningRate, type StepMetrics } from "./src/train/mod.ts";
/**
 * A download's progress text (bytes, rate), as the dataset registry prints it.
 *
 * @example
 * ```ts
 * import { formatDownloadProgress } from "./mod.ts";
 * ```
 */
export { formatProgress as formatDownloadProgress } from "./src/data/mod.ts";
/**
 * The peak learning rate of a pipeline's `optim` section (scaling rule on the global batch).
 *
 * @example
 * ```ts
 * import { configPeakLearningRate } from "./mod.ts";
 * configPeakLearningRate({ baseLr: 0.3, lrScaling: "linear", batchSize: 4096 }); // 4.8
 * ```
 */
export { peakLearningRate as configPeakLearningRate } from "./src/config/mod.ts";
/**
 * One step's record as the HTML report plots it (with the data-wait share).
 *
 * @example
 * ```ts
 * import type { ReportStepMetrics } from "./mod.ts";
 * const m: ReportStepMetrics = { step: 1, epoch: 0, loss: 5.1, dataWaitShare: 0.02 };
 * ```
 */
export type { StepMetrics as ReportStepMetrics } from "./src/report/mod.ts";

/**
 * Data-parallel training hooks over a communicator: NT-Xent candidates gathered from every
 * rank (exact gradient back to the local rows), global batch norm, one fused gradient
 * all-reduce per step, and a cross-rank weights check.
 *
 * @example
 * ```ts
 * import { allReduceGradientsStage, createCommunicator, distTrainingHooks, trainer } from "./mod.ts";
 * const comm = await createCommunicator("auto");
 * const sink = trainer({
 *   model, optimizer, learningRate,
 *   hooks: distTrainingHooks(comm, { globalBn: true }),
 *   stages: [allReduceGradientsStage(comm)],
 * });
 * ```
 */
export {
  allReduceGradientsStage,
  assertSameWeights,
  assertSyncBackend,
  type DistHooksOptions,
  distTrainingHooks,
  gatherCandidates,
  globalBatchNorm,
  reduceStepGradients,
  weightsHash,
} from "./src/train/dist_hooks.ts";
/**
 * Keeps ranks in step: the next batch is sent only after the optimizer applied the last one.
 *
 * @example
 * ```ts
 * import { Lockstep } from "./mod.ts";
 * const lockstep = new Lockstep();
 * const stages = [lockstep.stage()];
 * ```
 */
export { Lockstep } from "./src/train/dist_lockstep.ts";
