/**
 * Seams for data-parallel training (implemented elsewhere, e.g. over MPI): global batch-norm
 * statistics and the all-gather of projections for NT-Xent. The cross-rank gradient all-reduce
 * is an ordinary `TransformStream<StepGradients, StepGradients>` stage before the optimizer.
 */
import type { BatchNormHooks } from "../model/forward_context.ts";
import type { NtXentOptions } from "./nt_xent.ts";

/**
 * Hooks into the forward pass; {@link distTrainingHooks} makes them for a communicator.
 *
 * @example A gather hook that only counts its calls
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, MomentumSgd, trainer, type TrainingHooks } from "@simclr/streams/train";
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
 * let gathers = 0;
 * const hooks: TrainingHooks = {
 *   // the candidates of the global batch: here the local batch itself, its rows at offset 0
 *   gather: (local) => { gathers++; return { candidates: local, offset: 0 }; },
 * };
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new MomentumSgd(), learningRate: () => 0.1, hooks,
 * }));
 * assert.equal(gathers, 2);
 * ```
 */
export interface TrainingHooks {
  /** Reduce batch-norm statistics across ranks (global BN). */
  batchNorm?: BatchNormHooks;
  /** Gather the projections of all ranks as NT-Xent candidates. */
  gather?: NtXentOptions["gather"];
}
