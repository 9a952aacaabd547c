/**
 * The accelerator stage: forward pass, NT-Xent, backward pass, as a
 * `TransformStream<Batch, StepGradients>`. BN running statistics are updated here (once per
 * micro-batch, as PyTorch does per forward). Nothing is read back from the device.
 */
import * as tf from "@tensorflow/tfjs";
import { commitRunningStats } from "../model/batch_norm.ts";
import type { ForwardContext, RunningStatUpdate } from "../model/forward_context.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { Batch } from "./batch.ts";
import { ntXentLoss, type NtXentReduction } from "./nt_xent.ts";
import type { NamedTensors } from "./parameter_set.ts";
import type { StepGradients } from "./step_gradients.ts";
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
}

/** Computes the gradients of one batch (a synchronous dispatch; tensors stay on the device). */
export function computeStepGradients(
  model: SimCLRModel,
  batch: Batch,
  opts: ForwardBackwardOptions = {},
): Omit<StepGradients, "waitMs" | "computeMs"> {
  const { size: n, height: h, width: w, channels: c } = batch;
  if (batch.views.length !== 2 * n * h * w * c) {
    throw new Error(
      `micro-batch ${batch.microStep}: views has ${batch.views.length} values, expected ` +
        `2 x ${n} x ${h} x ${w} x ${c} = ${2 * n * h * w * c}`,
    );
  }
  const params = model.store.trainable();
  const updates: RunningStatUpdate[] = [];
  const retain: tf.Tensor[] = [];
  const ctx: ForwardContext = {
    training: true,
    batchNorm: opts.hooks?.batchNorm,
    updates,
    retain,
  };
  const x = tf.tensor4d(batch.views, [2 * n, h, w, c]);
  let accuracy!: tf.Scalar;
  let value: tf.Scalar;
  let byVar: tf.NamedTensorMap;
  try {
    ({ value, grads: byVar } = tf.variableGrads(() => {
      const { z } = model.apply(x, ctx);
      const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      const r = ntXentLoss(z1, z2, opts.temperature ?? 0.5, {
        gather: opts.hooks?.gather,
        reduction: opts.lossReduction,
      });
      accuracy = tf.keep(r.accuracy);
      return r.loss;
    }, params.map((p) => p.variable)));
  } finally {
    x.dispose();
    tf.dispose(retain);
  }
  commitRunningStats(updates, opts.bnMomentum ?? 0.1);
  const grads: NamedTensors = {};
  for (const p of params) {
    const g = byVar[p.variable.name];
    if (g) grads[p.name] = g;
  }
  return {
    microStep: batch.microStep,
    epoch: batch.epoch,
    pairs: n,
    microBatches: 1,
    grads,
    loss: value,
    accuracy,
  };
}

/**
 * `TransformStream<Batch, StepGradients>`: forward + NT-Xent + backward per batch. Holds at most
 * one batch waiting and one result queued.
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
        const out = computeStepGradients(model, batch, opts);
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
