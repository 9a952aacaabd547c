/**
 * The active backend's fused training-mode batch norm (+ReLU), when it has one: oneDNN's on
 * `native` (wasm + FFI), the project's WGSL passes on `webgpu`. The model's `BatchNorm` uses
 * it instead of the composed batch norm whenever global BN hooks are not in play.
 */
import type * as tf from "@tensorflow/tfjs";
import { nativeBatchNorm, nativeBatchNormAvailable } from "./native/batch_norm.ts";
import { webGpuBatchNorm, webGpuBatchNormAvailable } from "./webgpu/batch_norm.ts";

/**
 * A differentiable batch norm over the last axis: output, batch mean and biased variance
 * (kept: the caller disposes them); `retain` as in the model's `ForwardContext`.
 */
export type FusedBatchNorm = (
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  relu: boolean,
  retain?: tf.Tensor[],
) => { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D };

/** The fused batch norm of the active backend, or `undefined` when it has none (or it is off). */
export function fusedBatchNorm(): FusedBatchNorm | undefined {
  if (nativeBatchNormAvailable()) return nativeBatchNorm;
  if (webGpuBatchNormAvailable()) return webGpuBatchNorm;
  return undefined;
}
