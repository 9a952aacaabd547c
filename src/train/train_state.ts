/** The trainer's position: what a checkpoint must restore besides weights and optimizer. */

/**
 * Progress of a run (JSON-serializable): the trainer's `state`, updated in place.
 *
 * @example Reading the progress after training
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, initialTrainState, MomentumSgd, type TrainState, trainer } from "@simclr/streams/train";
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
 * const state: TrainState = initialTrainState();
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new MomentumSgd(), learningRate: () => 0.1, state,
 * }));
 * assert.deepEqual(state, { step: 2, images: 8, microStep: 1, epoch: 0 }); // 2 steps of 2 pairs
 * ```
 */
export interface TrainState {
  /** Optimizer steps done (the LR schedule's position). */
  step: number;
  /** Images (views) processed. */
  images: number;
  /**
   * `Batch.microStep` of the last micro-batch consumed (-1 before the first). Checkpoints
   * written before this field was renamed call it `batchStep`; loading maps it.
   */
  microStep: number;
  /** `Batch.epoch` of the last batch consumed. */
  epoch: number;
}

/**
 * A fresh state at step 0.
 *
 * @example Before the first batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialTrainState } from "@simclr/streams/train";
 * const state = initialTrainState();
 * assert.equal(state.step, 0);
 * assert.equal(state.microStep, -1); // no micro-batch consumed yet
 * ```
 */
export function initialTrainState(): TrainState {
  return { step: 0, images: 0, microStep: -1, epoch: 0 };
}
