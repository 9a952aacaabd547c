/**
 * Training: the NT-Xent loss, LARS / momentum SGD / AdamW, SimCLR's learning-rate schedule, the
 * training stages and the {@linkcode trainer} sink that composes them, metrics, checkpoints, the
 * online linear classifier, and the data-parallel hooks over a communicator.
 *
 * The training path pipes {@linkcode Batch}es into {@linkcode trainer}: forward + NT-Xent +
 * backward ({@linkcode forwardBackward}) -> [{@linkcode accumulateGradients}] -> [your
 * `TransformStream<StepGradients, StepGradients>` stages, e.g. {@linkcode allReduceGradientsStage}]
 * -> {@linkcode optimizerStep} (scheduled LR, metrics, checkpoints).
 *
 * @example Two optimizer steps of a tiny model
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { createModel } from "@simclr/streams/model";
 * import { type Batch, Lars, type StepMetrics, trainer } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 *
 * const model = createModel({
 *   encoder: "small",
 *   smallWidths: { stem: 4, stages: [4] },
 *   head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1),
 * });
 * const metrics: StepMetrics[] = [];
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model,
 *   optimizer: new Lars(),
 *   learningRate: { baseLr: 0.3, batchSize: 2, warmupSteps: 1, totalSteps: 2 },
 *   temperature: 0.5,
 *   logEvery: 1,
 *   onMetrics: (m) => { metrics.push(m); },
 * }));
 * assert.deepEqual(metrics.map((m) => m.step), [1, 2]);
 * assert.ok(metrics.every((m) => Number.isFinite(m.loss)));
 * ```
 * @module
 */

export type { Batch } from "./batch.ts";
export { type Trainer, trainer, type TrainerOptions } from "./trainer.ts";
export {
  forwardBackward,
  type ForwardBackwardOptions,
  type StepObjective,
} from "./forward_backward.ts";
export {
  OnlineClassifier,
  type OnlineClassifierOptions,
  type OnlineGradients,
} from "./online_classifier.ts";
export { supervisedObjective } from "./supervised_step.ts";
export {
  type CheckpointOptions,
  type OptimizerStage,
  optimizerStep,
  type OptimizerStepOptions,
} from "./optimizer_step.ts";
export { AppliedSteps } from "./applied_steps.ts";
export { accumulateGradients } from "./accumulate.ts";
export { disposeStepGradients, type StepGradients } from "./step_gradients.ts";
export type { TrainingHooks } from "./training_hooks.ts";
export {
  type GatheredCandidates,
  ntXentLoss,
  type NtXentOptions,
  type NtXentReduction,
  type NtXentResult,
} from "./nt_xent.ts";
export { Lars, type LarsOptions } from "./lars.ts";
export { MomentumSgd, type SgdOptions } from "./sgd.ts";
export { AdamW, type AdamWOptions } from "./adamw.ts";
export type { Optimizer, OptimizerState } from "./optimizer.ts";
export type { NamedTensors } from "./parameter_set.ts";
export { learningRateAt, type LrScheduleOptions, peakLearningRate } from "./lr_schedule.ts";
export type { StepMetrics } from "./step_metrics.ts";
export { initialTrainState, type TrainState } from "./train_state.ts";
export {
  type Checkpoint,
  type CheckpointMeta,
  loadCheckpoint,
  restoreCheckpoint,
} from "./checkpoint.ts";
export { CorruptCheckpointError } from "./checkpoint_error.ts";
export {
  allReduceGradientsStage,
  assertSameWeights,
  type DistHooksOptions,
  distTrainingHooks,
} from "./dist_hooks.ts";
