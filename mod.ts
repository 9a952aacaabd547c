/**
 * SimCLR self-supervised pretraining of image encoders, as composable WHATWG streams on Deno
 * and TensorFlow.js: sources and decode (`src/data`), generic stream stages (`src/streams`),
 * SimCLR augmentation (`src/augment`), ResNet encoders and projection heads (`src/model`),
 * NT-Xent, LARS and the training stages (`src/train`), evaluation (`src/eval`), YAML pipelines
 * (`src/config`), reports (`src/report`), multi-process training (`src/distributed`), backends
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
