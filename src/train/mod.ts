/**
 * Training: NT-Xent, optimizers (LARS, momentum SGD, AdamW), LR schedules, the train-step
 * stages (forward/backward, accumulation, optimizer step), the `trainer` sink, metrics and
 * checkpoints.
 * @module
 */

/**
 * A batch of view pairs: `views` holds 2N images (N first views, then N second views), NHWC.
 *
 * @example
 * ```ts
 * import type { Batch } from "./mod.ts";
 * const b: Batch = { microStep: 0, epoch: 0, size: 1, height: 1, width: 1, channels: 1,
 *   views: new Float32Array(2), keys: ["a"], indices: Int32Array.of(0) };
 * ```
 */
export type { Batch } from "./batch.ts";
/**
 * The training sink: `WritableStream<Batch>` composing forward/backward -> [accumulate] ->
 * [your stages] -> optimizer step with metrics and checkpoints; `applied.until(microStep)`
 * resolves once a micro-batch went through an applied optimizer step.
 *
 * @example
 * ```ts
 * import { createModel } from "../model/mod.ts";
 * import { Lars, trainer } from "./mod.ts";
 * const model = createModel({ encoder: "resnet18", stem: "cifar" });
 * await batches.pipeTo(trainer({
 *   model,
 *   optimizer: new Lars(),
 *   learningRate: { baseLr: 0.3, batchSize: 256, warmupSteps: 500, totalSteps: 5000 },
 *   temperature: 0.5,
 *   logEvery: 10,
 *   metricsFile: "runs/metrics.jsonl",
 *   checkpoint: { path: "runs/last.ckpt", every: 500, dataPosition: (s) => ({ epoch: s.epoch }) },
 * }));
 * ```
 */
export { type Trainer, trainer, type TrainerOptions } from "./trainer.ts";
/**
 * The forward + NT-Xent + backward stage, `TransformStream<Batch, StepGradients>`, and the
 * single-batch function behind it.
 *
 * @example
 * ```ts
 * import { forwardBackward, optimizerStep, MomentumSgd } from "./mod.ts";
 * await batches
 *   .pipeThrough(forwardBackward(model, { temperature: 0.5 }))
 *   .pipeTo(optimizerStep({ model, optimizer: new MomentumSgd(), learningRate: () => 0.1 }));
 * ```
 */
export {
  checkBatchViews,
  computeStepGradients,
  forwardBackward,
  type ForwardBackwardOptions,
  type StepObjective,
  trainingGradients,
} from "./forward_backward.ts";
/**
 * The online linear classifier: a linear head on stop-gradient features `h`, trained during
 * pretraining on each batch's labels with its own optimizer (pass it as the trainer's `online`).
 *
 * @example
 * ```ts
 * import { OnlineClassifier, trainer } from "./mod.ts";
 * const online = new OnlineClassifier({ featureDim: 512, numClasses: 10, learningRate: () => 0.1 });
 * await batches.pipeTo(trainer({ model, optimizer, online, learningRate: () => 0.3 }));
 * ```
 */
export {
  OnlineClassifier,
  type OnlineClassifierOptions,
  type OnlineGradients,
} from "./online_classifier.ts";
/**
 * Softmax cross-entropy over labelled rows (`-1`: unknown), with host-side label checks.
 *
 * @example
 * ```ts
 * import { classificationLoss } from "./mod.ts";
 * const { lossSum, correct, labelled } = classificationLoss(logits, labels);
 * ```
 */
export { checkLabels, type ClassificationLoss, classificationLoss } from "./cross_entropy.ts";
/**
 * The fine-tuning objective (encoder + linear classifier, cross-entropy on the first views), for
 * the trainer's `objective`.
 *
 * @example
 * ```ts
 * import { supervisedObjective, trainer } from "./mod.ts";
 * const sink = trainer({ model, optimizer, learningRate, objective: supervisedObjective(head) });
 * ```
 */
export { supervisedObjective } from "./supervised_step.ts";
/**
 * The optimizer stage, `WritableStream<StepGradients>`: scheduled LR, asynchronous loss reads
 * every `logEvery` steps (NaN stops training), metrics, atomic checkpoints.
 *
 * @example
 * ```ts
 * import { Lars, optimizerStep } from "./mod.ts";
 * const sink = optimizerStep({
 *   model, optimizer: new Lars(), learningRate: { baseLr: 0.3, batchSize: 256, totalSteps: 1000 },
 *   checkpoint: { path: "last.ckpt", every: 100 },
 * });
 * ```
 */
export {
  type CheckpointOptions,
  type OptimizerStage,
  optimizerStep,
  type OptimizerStepOptions,
} from "./optimizer_step.ts";
/**
 * The optimizer stage's applied steps as promises (no polling): `until(microStep)` resolves
 * once that micro-batch went through an applied step, and rejects when training failed.
 *
 * @example
 * ```ts
 * import { trainer } from "./mod.ts";
 * const sink = trainer({ model, optimizer, learningRate: () => 0.1 });
 * const writer = sink.getWriter();
 * await writer.write(batch);
 * await sink.applied.until(batch.microStep); // the weights now include this batch
 * ```
 */
export { AppliedSteps } from "./applied_steps.ts";
/**
 * Gradient accumulation over k micro-batches (`TransformStream<StepGradients, StepGradients>`).
 * It enlarges the optimizer batch, not the set of NT-Xent negatives.
 *
 * @example
 * ```ts
 * import { accumulateGradients, forwardBackward } from "./mod.ts";
 * const grads = batches.pipeThrough(forwardBackward(model)).pipeThrough(accumulateGradients(4));
 * ```
 */
export { accumulateGradients } from "./accumulate.ts";
/**
 * What flows from the forward/backward stage to the optimizer: gradients by parameter name,
 * loss and accuracy (tensors on the device; the consumer disposes them).
 *
 * @example
 * ```ts
 * import { disposeStepGradients, type StepGradients } from "./mod.ts";
 * const clip = new TransformStream<StepGradients, StepGradients>({
 *   transform(g, c) { c.enqueue(g); },
 * });
 * ```
 */
export { disposeStepGradients, imagesOf, type StepGradients } from "./step_gradients.ts";
/**
 * Seams for data-parallel training: global BN and gathered NT-Xent candidates.
 *
 * @example
 * ```ts
 * import type { TrainingHooks } from "./mod.ts";
 * const hooks: TrainingHooks = {
 *   gather: (local) => ({ candidates: local, offset: 0 }), // all-gather across ranks here
 * };
 * ```
 */
export type { TrainingHooks } from "./training_hooks.ts";
/**
 * NT-Xent loss and contrastive top-1 accuracy; candidates may be the gathered global batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ntXentLoss } from "./mod.ts";
 * const { loss, accuracy } = ntXentLoss(tf.randomNormal([8, 128]), tf.randomNormal([8, 128]), 0.5);
 * console.log((await loss.data())[0], (await accuracy.data())[0]);
 * ```
 */
export {
  type GatheredCandidates,
  ntXentLoss,
  type NtXentOptions,
  type NtXentReduction,
  type NtXentResult,
} from "./nt_xent.ts";
/**
 * LARS as in the official SimCLR code (weight decay into the gradient, trust ratio, momentum;
 * biases and BN excluded by tag).
 *
 * @example
 * ```ts
 * import { Lars } from "./mod.ts";
 * const opt = new Lars({ momentum: 0.9, weightDecay: 1e-6, trustCoefficient: 0.001 });
 * opt.apply(model.store.trainable(), grads, 0.3);
 * ```
 */
export { Lars, type LarsOptions } from "./lars.ts";
/**
 * Momentum SGD (PyTorch's rule).
 *
 * @example
 * ```ts
 * import { MomentumSgd } from "./mod.ts";
 * const opt = new MomentumSgd({ momentum: 0.9, weightDecay: 5e-4 });
 * ```
 */
export { MomentumSgd, type SgdOptions } from "./sgd.ts";
/**
 * AdamW (PyTorch's rule, decoupled weight decay).
 *
 * @example
 * ```ts
 * import { AdamW } from "./mod.ts";
 * const opt = new AdamW({ weightDecay: 0.05 });
 * ```
 */
export { AdamW, type AdamWOptions } from "./adamw.ts";
/**
 * The optimizer interface and its serializable state.
 *
 * @example
 * ```ts
 * import type { Optimizer } from "./mod.ts";
 * function stepAll(opt: Optimizer) { opt.apply(model.store.trainable(), grads, 0.1); }
 * ```
 */
export type { Optimizer, OptimizerState } from "./optimizer.ts";
/**
 * Tensors by parameter name (gradients, slots).
 *
 * @example
 * ```ts
 * import type { NamedTensors } from "./mod.ts";
 * const grads: NamedTensors = {};
 * ```
 */
export type { NamedTensors } from "./parameter_set.ts";
/**
 * SimCLR's LR schedule: linear or sqrt scaling, linear warmup, cosine decay.
 *
 * @example
 * ```ts
 * import { learningRateAt } from "./mod.ts";
 * const lr = learningRateAt(100, { baseLr: 0.3, batchSize: 512, warmupSteps: 100, totalSteps: 1000 });
 * // 0.6 (end of warmup)
 * ```
 */
export { learningRateAt, type LrScheduleOptions, peakLearningRate } from "./lr_schedule.ts";
/**
 * Per-step metrics (the record of `metrics.jsonl`) and their JSONL writer.
 *
 * @example
 * ```ts
 * import { JsonlMetricsWriter } from "./mod.ts";
 * const jsonl = new JsonlMetricsWriter("runs/metrics.jsonl");
 * await jsonl.write(metrics);
 * ```
 */
export { JsonlMetricsWriter, type StepMetrics } from "./step_metrics.ts";
/**
 * The trainer's position (optimizer steps, images, index of the last micro-batch, epoch).
 *
 * @example
 * ```ts
 * import { initialTrainState } from "./mod.ts";
 * const state = initialTrainState(); // pass to trainer({ state }) and read state.step later
 * ```
 */
export { initialTrainState, type TrainState } from "./train_state.ts";
/**
 * Checkpoints: model, optimizer state, schedule position, RNG state and data position in one
 * checksummed safetensors file, written atomically; verified on load.
 *
 * @example
 * ```ts
 * import { createModel } from "../model/mod.ts";
 * import { Lars, loadCheckpoint, restoreCheckpoint } from "./mod.ts";
 * const ckpt = await loadCheckpoint("runs/last.ckpt"); // throws if corrupt
 * const model = createModel(ckpt.meta.modelConfig);
 * const optimizer = new Lars();
 * const state = restoreCheckpoint(ckpt, model, optimizer);
 * // restart the data at ckpt.meta.dataPosition, with ckpt.meta.rng, then trainer({ state, ... })
 * ```
 */
export {
  type Checkpoint,
  type CheckpointInput,
  type CheckpointMeta,
  CorruptCheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  NonFiniteError,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
/**
 * The last K checkpoints beside the latest (`<name>-step<N><ext>`), and going back to one.
 *
 * @example
 * ```ts
 * import { keptCheckpoints } from "./mod.ts";
 * const [newest, ...earlier] = await keptCheckpoints("runs/x/checkpoint.safetensors");
 * ```
 */
export {
  type KeptCheckpoint,
  keptCheckpoints,
  numberedCheckpointPath,
  rewindCheckpoints,
  writeCheckpointFiles,
} from "./checkpoint_files.ts";
/**
 * When to checkpoint: every N steps and/or every T seconds (`train.checkpointEvery`).
 *
 * @example
 * ```ts
 * import { parseCheckpointEvery } from "./mod.ts";
 * parseCheckpointEvery("10 min"); // { value: 600, unit: "seconds" }
 * ```
 */
export {
  type CheckpointCadence,
  type CheckpointEvery,
  CheckpointPolicy,
  parseCheckpointEvery,
} from "./checkpoint_policy.ts";
