/**
 * The active backend's fused training-mode batch norm (+ReLU), when it has one: oneDNN's on
 * `native` (wasm + FFI), the project's WGSL passes on `webgpu`. The model's `BatchNorm` uses
 * it instead of the composed batch norm whenever global BN hooks are not in play.
 */
import type { FusedBatchNorm } from "./fused_batch_norm_op.ts";
import { nativeBatchNorm, nativeBatchNormAvailable } from "./native/batch_norm.ts";
import { webGpuBatchNorm, webGpuBatchNormAvailable } from "./webgpu/batch_norm.ts";

export type { FusedBatchNorm };

/** The fused batch norm of the active backend, or `undefined` when it has none (or it is off). */
export function fusedBatchNorm(): FusedBatchNorm | undefined {
  if (nativeBatchNormAvailable()) return nativeBatchNorm;
  if (webGpuBatchNormAvailable()) return webGpuBatchNorm;
  return undefined;
}
