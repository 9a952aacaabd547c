/** Registers the project's kernels for TensorFlow.js's `wasm` backend. */
import * as tf from "@tensorflow/tfjs";
import { markAdded, saveStock } from "./stock.ts";
import { batchMatMulConfig } from "./batch_mat_mul.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { avgPoolGradConfig } from "./avg_pool_grad.ts";
import { tileConfig } from "./tile.ts";
import { meanConfig, sumConfig } from "./reduce_leading.ts";
import { conv2dConfig } from "./conv2d.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";

/** The project's `wasm` kernels, in registration order. */
export const wasmKernelConfigs: tf.KernelConfig[] = [
  conv2dConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  tileConfig,
  sumConfig,
  meanConfig,
];

/**
 * Registers the project's kernels for the `wasm` backend, replacing stock ones of the same name
 * (the stock versions stay callable through `stock()` for fallbacks and benchmarks). Idempotent.
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) {
    const current = tf.getKernel(config.kernelName, "wasm");
    if (current === config) continue;
    if (current) {
      saveStock(config.kernelName);
      tf.unregisterKernel(config.kernelName, "wasm");
    } else {
      markAdded(config.kernelName);
    }
    tf.registerKernel(config);
  }
}
