/**
 * Gradient accumulation over k micro-batches, as a `TransformStream<StepGradients,
 * StepGradients>`: emits the mean of every k gradients. This enlarges the batch the optimizer
 * sees (k x micro-batch pairs; scale the LR for that), NOT the set of negatives of NT-Xent,
 * which stays each micro-batch's own (use the distributed `gather` hook for more negatives).
 * A partial group at the end of the stream is emitted as the mean of what arrived.
 */
import * as tf from "@tensorflow/tfjs";
import { disposeStepGradients, imagesOf, type StepGradients } from "./step_gradients.ts";

/**
 * Averages every `k` consecutive `StepGradients` into one (a partial group at the end of the
 * stream is averaged over what arrived).
 *
 * @throws {RangeError} when `k` is not an integer >= 1.
 *
 * @example Four micro-batches, two optimizer steps
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import {
 *   accumulateGradients, type Batch, disposeStepGradients, forwardBackward, type StepGradients,
 * } from "@simclr/streams/train";
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
 * const out: StepGradients[] = [];
 * await ReadableStream.from([0, 1, 2, 3].map(batch))
 *   .pipeThrough(forwardBackward(model))
 *   .pipeThrough(accumulateGradients(2))
 *   .pipeTo(new WritableStream({ write: (g) => { out.push(g); } }));
 * assert.deepEqual(out.map((g) => [g.microStep, g.microBatches, g.pairs]), [[1, 2, 4], [3, 2, 4]]);
 * out.forEach(disposeStepGradients);
 * ```
 */
export function accumulateGradients(k: number): TransformStream<StepGradients, StepGradients> {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`accumulateGradients: k must be an integer >= 1, got ${k}`);
  }
  let acc: StepGradients | undefined;
  const emit = (controller: TransformStreamDefaultController<StepGradients>) => {
    if (!acc) return;
    const m = acc.microBatches;
    const a = acc;
    acc = undefined;
    if (m === 1) return controller.enqueue(a);
    const out = tf.tidy(() => ({
      grads: Object.fromEntries(Object.entries(a.grads).map(([n, g]) => [n, tf.div(g, m)])),
      loss: tf.div(a.loss, m) as tf.Scalar,
      accuracy: tf.div(a.accuracy, m) as tf.Scalar,
      ...(a.online ? { online: tf.div(a.online, m) as tf.Tensor1D } : {}),
    }));
    disposeStepGradients(a);
    controller.enqueue({ ...a, ...out });
  };
  return new TransformStream<StepGradients, StepGradients>(
    {
      transform(g, controller) {
        if (k === 1) return controller.enqueue(g);
        if (!acc) {
          acc = g;
        } else {
          const prev = acc;
          const sum = tf.tidy(() => ({
            grads: Object.fromEntries(
              Object.entries(prev.grads).map((
                [n, t],
              ) => [n, g.grads[n] ? tf.add(t, g.grads[n]) : t.clone()]),
            ),
            loss: tf.add(prev.loss, g.loss) as tf.Scalar,
            accuracy: tf.add(prev.accuracy, g.accuracy) as tf.Scalar,
            ...(prev.online && g.online
              ? { online: tf.add(prev.online, g.online) as tf.Tensor1D }
              : {}),
          }));
          acc = {
            ...sum,
            microStep: g.microStep,
            epoch: g.epoch,
            pairs: prev.pairs + g.pairs,
            ...(prev.images ?? g.images) !== undefined
              ? { images: imagesOf(prev) + imagesOf(g) }
              : {},
            microBatches: prev.microBatches + g.microBatches,
            waitMs: prev.waitMs + g.waitMs,
            computeMs: prev.computeMs + g.computeMs,
          };
          disposeStepGradients(prev);
          disposeStepGradients(g);
        }
        if (acc.microBatches >= k) emit(controller);
      },
      flush(controller) {
        emit(controller);
      },
    },
    { highWaterMark: 1 },
    { highWaterMark: 0 },
  );
}
