/**
 * The optimizer stage: a `WritableStream<StepGradients>` that applies each (already reduced)
 * gradient with the scheduled learning rate, reads loss and accuracy every `logEvery` steps
 * (asynchronously; a NaN or infinite loss stops training there), reports metrics and writes
 * checkpoints every `checkpoint.every` steps and/or `checkpoint.everySeconds` seconds (see
 * `CheckpointPolicy`), and at the end. Each applied step resolves the waits of its
 * {@link AppliedSteps}.
 */
import type { SimCLRModel } from "../model/simclr_model.ts";
import { AppliedSteps } from "./applied_steps.ts";
import { NonFiniteError, saveCheckpoint } from "./_checkpoint_codec.ts";
import { CheckpointPolicy } from "./checkpoint_policy.ts";
import { learningRateAt, type LrScheduleOptions } from "./lr_schedule.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { Optimizer } from "./optimizer.ts";
import { disposeStepGradients, imagesOf, type StepGradients } from "./step_gradients.ts";
import type { StepMetrics } from "./step_metrics.ts";
import { initialTrainState, type TrainState } from "./train_state.ts";

/**
 * Where and how often to checkpoint.
 *
 * @example Every step, keeping two
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, type CheckpointOptions, Lars, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const dir = await Deno.makeTempDir();
 * const checkpoint: CheckpointOptions = { path: `${dir}/last.ckpt`, every: 1, keep: 2 };
 * const written: number[] = [];
 * await ReadableStream.from([0, 1, 2].map(batch)).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint,
 *   onCheckpoint: (_, state) => written.push(state.step),
 * }));
 * assert.deepEqual(written, [1, 2, 3]);
 * assert.ok((await Deno.stat(checkpoint.path)).isFile);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface CheckpointOptions {
  /** File to write (replaced atomically each time). */
  path: string;
  /** Every this many optimizer steps (default: only at the end, unless `everySeconds`). */
  every?: number;
  /** Also every this many seconds of training (the first one counted from the stage's start). */
  everySeconds?: number;
  /** Keep the last this many checkpoints, numbered beside `path` (default 1: `path` alone). */
  keep?: number;
  /** The clock of `everySeconds`, milliseconds (default `performance.now`). */
  now?: () => number;
  /** The data position to store, e.g. `{ epoch, offset }` (default `{ epoch, nextMicroStep }`). */
  dataPosition?: (state: TrainState) => unknown;
  /** The caller's RNG state to store (e.g. augmentation seeds). */
  rngState?: () => unknown;
}

/**
 * Options of {@link optimizerStep} (and of {@link trainer}).
 *
 * @example A schedule instead of a constant rate
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { AdamW, type Batch, type OptimizerStepOptions, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const lrs: number[] = [];
 * const options: OptimizerStepOptions = {
 *   model,
 *   optimizer: new AdamW(),
 *   learningRate: { baseLr: 0.01, scaling: "none", batchSize: 2, warmupSteps: 2, totalSteps: 4 },
 *   logEvery: 1,
 *   onMetrics: (m) => { lrs.push(m.lr); },
 * };
 * await ReadableStream.from([0, 1, 2, 3].map(batch)).pipeTo(trainer(options));
 * assert.deepEqual(lrs.map((x) => +x.toFixed(6)), [0, 0.005, 0.01, 0.005]);
 * ```
 */
export interface OptimizerStepOptions {
  /** The model whose trainable parameters are updated (and checkpointed). */
  model: SimCLRModel;
  /** The optimizer, e.g. `new Lars()`. */
  optimizer: Optimizer;
  /** LR schedule, or a function of the optimizer step. */
  learningRate: LrScheduleOptions | ((step: number) => number);
  /** Progress; mutated in place (default: a fresh state). Pass a restored one to resume. */
  state?: TrainState;
  /** Read loss/accuracy and report every this many steps (default 10). */
  logEvery?: number;
  /** Receives metrics every `logEvery` steps. */
  onMetrics?: (m: StepMetrics) => void | Promise<void>;
  /** Where and how often to write checkpoints (default: none). */
  checkpoint?: CheckpointOptions;
  /**
   * The online linear classifier: updated by its own optimizer from its gradients in each step,
   * its loss and top-1 reported with the metrics, its state checkpointed with the model's.
   */
  online?: OnlineClassifier;
  /** Called after each checkpoint is written. */
  onCheckpoint?: (path: string, state: TrainState) => void;
}

/**
 * The optimizer stage, and the steps it applied as promises.
 *
 * @example Its applied steps
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, forwardBackward, MomentumSgd, type OptimizerStage, optimizerStep } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const stage: OptimizerStage = optimizerStep({ model, optimizer: new MomentumSgd(), learningRate: () => 0.1 });
 * await ReadableStream.from([batch(0)]).pipeThrough(forwardBackward(model)).pipeTo(stage);
 * await stage.applied.until(0); // already resolved: micro-batch 0 was applied
 * assert.equal(stage.applied.state.microStep, 0);
 * ```
 */
export type OptimizerStage = WritableStream<StepGradients> & { readonly applied: AppliedSteps };

/**
 * `WritableStream<StepGradients>` applying the optimizer with the scheduled learning rate;
 * disposes what it consumes. Reads loss and accuracy every `logEvery` steps (asynchronously),
 * and stops training when the loss is NaN or infinite.
 *
 * @example The chain of the trainer, by hand
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, forwardBackward, MomentumSgd, optimizerStep } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const before = tf.memory().numTensors;
 * const sink = optimizerStep({ model, optimizer: new MomentumSgd({ momentum: 0 }), learningRate: () => 0.1 });
 * await ReadableStream.from([batch(0), batch(1)]).pipeThrough(forwardBackward(model)).pipeTo(sink);
 * assert.equal(sink.applied.state.step, 2);
 * assert.equal(tf.memory().numTensors, before); // no slots without momentum, nothing leaked
 * ```
 */
export function optimizerStep(opts: OptimizerStepOptions): OptimizerStage {
  const state = opts.state ?? initialTrainState();
  const applied = new AppliedSteps(state);
  const logEvery = Math.max(1, opts.logEvery ?? 10);
  const lrOf = typeof opts.learningRate === "function"
    ? opts.learningRate
    : (s: number) => learningRateAt(s, opts.learningRate as LrScheduleOptions);
  const ck = opts.checkpoint;
  const policy = new CheckpointPolicy({
    everySteps: ck?.every,
    everySeconds: ck?.everySeconds,
    now: ck?.now,
  });
  let lastCheckpoint: { path: string; step: number } | undefined;
  let interval = { start: performance.now(), images: 0, steps: 0, waitMs: 0, computeMs: 0 };
  let savedAt = state.step;

  const save = async () => {
    if (!ck) return;
    try {
      await saveCheckpoint(ck.path, {
        model: opts.model,
        optimizer: opts.optimizer,
        online: opts.online,
        state,
        rng: ck.rngState?.(),
        dataPosition: ck.dataPosition
          ? ck.dataPosition(state)
          : { epoch: state.epoch, nextMicroStep: state.microStep + 1 },
      }, ck.keep);
    } catch (err) {
      if (err instanceof NonFiniteError) {
        throw nonFinite(`parameters after step ${state.step}`, err);
      }
      throw err;
    }
    lastCheckpoint = { path: ck.path, step: state.step };
    savedAt = state.step;
    policy.saved();
    opts.onCheckpoint?.(ck.path, state);
  };

  const nonFinite = (what: string, cause?: unknown) =>
    new Error(
      `training stopped: ${what} is NaN or infinite. ` +
        (lastCheckpoint
          ? `The last good checkpoint is ${lastCheckpoint.path} (step ${lastCheckpoint.step}); `
          : "No checkpoint was written in this run; ") +
        `lower the learning rate or the temperature, or check the input data, then resume.`,
      { cause },
    );

  /** One optimizer step: LR, (log steps: loss read), update, state, metrics, checkpoint. */
  const applyStep = async (g: StepGradients): Promise<void> => {
    const stepNo = state.step;
    const lr = lrOf(stepNo);
    const due = ck !== undefined && policy.due(stepNo + 1);
    const report = (stepNo + 1) % logEvery === 0 || due;
    let loss = NaN;
    let accuracy = NaN;
    let online: Pick<StepMetrics, "onlineLoss" | "onlineTop1"> = {};
    try {
      if (report) {
        const [l, a, c] = await Promise.all([g.loss.data(), g.accuracy.data(), g.online?.data()]);
        loss = l[0];
        accuracy = a[0];
        if (!Number.isFinite(loss)) throw nonFinite(`the loss at step ${stepNo + 1} (${loss})`);
        if (c && c[2] > 0) {
          online = { onlineLoss: c[0] / c[2], onlineTop1: c[1] / c[2] };
          if (!Number.isFinite(online.onlineLoss!)) {
            throw new Error(
              `training stopped: the online classifier's loss at step ${stepNo + 1} is ` +
                `${online.onlineLoss}: lower its learning rate (the encoder is not affected; ` +
                `resume from the last checkpoint)`,
            );
          }
        }
      }
      opts.optimizer.apply(opts.model.store.trainable(), g.grads, lr);
      opts.online?.apply(g.grads, stepNo);
    } finally {
      disposeStepGradients(g);
    }
    state.step = stepNo + 1;
    state.images += imagesOf(g);
    state.microStep = g.microStep;
    state.epoch = g.epoch;
    interval.images += imagesOf(g);
    interval.steps++;
    interval.waitMs += g.waitMs;
    interval.computeMs += g.computeMs;
    if (report) {
      const now = performance.now();
      const m: StepMetrics = {
        step: state.step,
        epoch: state.epoch,
        loss,
        accuracy,
        lr,
        ...online,
        imagesPerSec: interval.images / ((now - interval.start) / 1000),
        waitMs: interval.waitMs / interval.steps,
        computeMs: interval.computeMs / interval.steps,
        time: new Date().toISOString(),
      };
      interval = { start: now, images: 0, steps: 0, waitMs: 0, computeMs: 0 };
      await opts.onMetrics?.(m);
    }
    if (due) await save();
    applied.advance();
  };

  const stage = new WritableStream<StepGradients>({
    async write(g) {
      try {
        await applyStep(g);
      } catch (err) {
        applied.fail(err);
        throw err;
      }
    },
    async close() {
      if (ck && savedAt !== state.step) await save();
    },
    abort(reason) {
      applied.fail(reason); // an earlier stage failed
    },
  }, { highWaterMark: 1 });
  return Object.assign(stage, { applied });
}
