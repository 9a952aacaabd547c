/**
 * The accelerator stage: forward pass, NT-Xent (or another objective), backward pass, as a
 * `TransformStream<Batch, StepGradients>`. BN running statistics are updated here (once per
 * micro-batch, as PyTorch does per forward). Nothing is read back from the device.
 */
import * as tf from "@tensorflow/tfjs";
import { commitRunningStats } from "../model/running_stats.ts";
import type { ForwardContext, RunningStatUpdate } from "../model/forward_context.ts";
import type { Param } from "../model/params.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { Batch } from "./batch.ts";
import { ntXentLoss, type NtXentReduction } from "./nt_xent.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { disposeStepGradients, type StepGradients } from "./step_gradients.ts";
import type { TrainingHooks } from "./training_hooks.ts";

/** Options of {@link forwardBackward}. */
export interface ForwardBackwardOptions {
  /** NT-Xent temperature (SimCLR: 0.1 to 0.5; default 0.5). */
  temperature?: number;
  /** NT-Xent reduction: `mean` over the 2N anchors (default) or google's `sum-of-directions`. */
  lossReduction?: NtXentReduction;
  /** BN running-statistics momentum (PyTorch convention, default 0.1). */
  bnMomentum?: number;
  /** Distributed seams (global BN, gathered negatives). */
  hooks?: TrainingHooks;
  /**
   * The online linear classifier: trained beside NT-Xent on the features `h` of each batch's
   * first views, outside the encoder's gradient tape (so no gradient of it reaches the encoder,
   * and no label reaches NT-Xent). Its gradients join `StepGradients.grads` under its own
   * parameter names, its counts ride in `StepGradients.online`.
   */
  online?: OnlineClassifier;
  /**
   * What one micro-batch computes (default {@link computeStepGradients}, SimCLR's objective);
   * fine-tuning passes a supervised one.
   */
  objective?: StepObjective;
}

/** The loss and gradients of one micro-batch (a synchronous dispatch; tensors stay on the device). */
export type StepObjective = (
  model: SimCLRModel,
  batch: Batch,
  opts: ForwardBackwardOptions,
) => Omit<StepGradients, "waitMs" | "computeMs">;

/**
 * Runs `forward` (which builds a scalar loss from the model in training mode) under a gradient
 * tape and returns the loss and the gradients of `params` by parameter name; the batch-norm
 * running statistics of the forward pass are committed afterwards. `forward` may `tf.keep`
 * other tensors it makes (the caller then owns them).
 */
export function trainingGradients(
  params: Param[],
  opts: Pick<ForwardBackwardOptions, "bnMomentum" | "hooks">,
  forward: (ctx: ForwardContext) => tf.Scalar,
): { loss: tf.Scalar; grads: NamedTensors } {
  const updates: RunningStatUpdate[] = [];
  const retain: tf.Tensor[] = [];
  const ctx: ForwardContext = {
    training: true,
    batchNorm: opts.hooks?.batchNorm,
    updates,
    retain,
  };
  let value: tf.Scalar;
  let byVar: tf.NamedTensorMap;
  try {
    ({ value, grads: byVar } = tf.variableGrads(() => forward(ctx), params.map((p) => p.variable)));
  } finally {
    tf.dispose(retain);
  }
  commitRunningStats(updates, opts.bnMomentum ?? 0.1);
  const grads: NamedTensors = {};
  for (const p of params) {
    const g = byVar[p.variable.name];
    if (g) grads[p.name] = g;
  }
  return { loss: value, grads };
}

/** Throws a `TypeError` unless `batch.views` holds the 2N views of the batch's shape. */
export function checkBatchViews(batch: Batch): void {
  const { size: n, height: h, width: w, channels: c } = batch;
  if (batch.views.length !== 2 * n * h * w * c) {
    throw new TypeError(
      `micro-batch ${batch.microStep}: views has ${batch.views.length} values, expected ` +
        `2 x ${n} x ${h} x ${w} x ${c} = ${2 * n * h * w * c}`,
    );
  }
}

/**
 * SimCLR's objective on one batch: forward pass of both views, NT-Xent, backward pass; with an
 * online classifier, its gradients from the features of the first views too.
 */
export function computeStepGradients(
  model: SimCLRModel,
  batch: Batch,
  opts: ForwardBackwardOptions = {},
): Omit<StepGradients, "waitMs" | "computeMs"> {
  const { size: n, height: h, width: w, channels: c } = batch;
  checkBatchViews(batch);
  const x = tf.tensor4d(batch.views, [2 * n, h, w, c]);
  let accuracy!: tf.Scalar;
  let features: tf.Tensor2D | undefined;
  let result: { loss: tf.Scalar; grads: NamedTensors };
  try {
    result = trainingGradients(model.store.trainable(), opts, (ctx) => {
      const { h: hidden, z } = model.apply(x, ctx);
      // kept as it is: the online classifier reads it after the tape, as a constant
      if (opts.online) features = tf.keep(hidden);
      const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      const r = ntXentLoss(z1, z2, opts.temperature ?? 0.5, {
        gather: opts.hooks?.gather,
        reduction: opts.lossReduction,
      });
      accuracy = tf.keep(r.accuracy);
      return r.loss;
    });
  } catch (err) {
    features?.dispose();
    throw err;
  } finally {
    x.dispose();
  }
  const out: Omit<StepGradients, "waitMs" | "computeMs"> = {
    microStep: batch.microStep,
    epoch: batch.epoch,
    pairs: n,
    microBatches: 1,
    grads: result.grads,
    loss: result.loss,
    accuracy,
  };
  if (opts.online && features) {
    try {
      const side = opts.online.gradients(features, batch);
      Object.assign(out.grads, side.grads);
      out.online = side.counts;
    } catch (err) {
      disposeStepGradients(out);
      throw err;
    } finally {
      features.dispose();
    }
  }
  return out;
}

/**
 * `TransformStream<Batch, StepGradients>`: forward + loss (NT-Xent, or `opts.objective`) +
 * backward per batch. Holds at most one batch waiting and one result queued.
 */
export function forwardBackward(
  model: SimCLRModel,
  opts: ForwardBackwardOptions = {},
): TransformStream<Batch, StepGradients> {
  let ready = performance.now();
  return new TransformStream<Batch, StepGradients>(
    {
      transform(batch, controller) {
        const start = performance.now();
        const out = (opts.objective ?? computeStepGradients)(model, batch, opts);
        const end = performance.now();
        // Data wait: the time this stage was ready before the batch existed. Time spent held
        // back by the stages after it (an optimizer awaiting the GPU) is not waiting for data.
        const waitMs = batch.readyAt !== undefined
          ? Math.max(0, Math.min(start, batch.readyAt) - ready)
          : start - ready;
        controller.enqueue({ ...out, waitMs, computeMs: end - start });
        ready = performance.now();
      },
    },
    { highWaterMark: 1 },
    { highWaterMark: 0 },
  );
}
