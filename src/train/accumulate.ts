/**
 * Gradient accumulation over k micro-batches, as a `TransformStream<StepGradients,
 * StepGradients>`: emits the mean of every k gradients. This enlarges the batch the optimizer
 * sees (k x micro-batch pairs; scale the LR for that), NOT the set of negatives of NT-Xent,
 * which stays each micro-batch's own (use the distributed `gather` hook for more negatives).
 * A partial group at the end of the stream is emitted as the mean of what arrived.
 */
import * as tf from "@tensorflow/tfjs";
import { disposeStepGradients, imagesOf, type StepGradients } from "./step_gradients.ts";

/** Averages every `k` consecutive `StepGradients` into one. */
export function accumulateGradients(k: number): TransformStream<StepGradients, StepGradients> {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`accumulateGradients: k must be an integer >= 1, got ${k}`);
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
