/** Registers the project's kernels for TensorFlow.js's `webgpu` backend. */
import * as tf from "@tensorflow/tfjs";
import { saveStock, setWebGpuKernelsEnabled } from "./stock.ts";
import { setSoftwareAdapter, setTargetWorkgroups } from "./tuning.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { conv2dConfig } from "./conv2d.ts";
import { batchNormBackwardConfig, batchNormForwardConfig } from "./batch_norm.ts";
import { avgPoolGradConfig } from "./avg_pool_grad.ts";

/** The project's `webgpu` kernels, in registration order. */
export const webGpuKernelConfigs: tf.KernelConfig[] = [
  conv2dConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  batchNormForwardConfig,
  batchNormBackwardConfig,
  avgPoolGradConfig,
];

/**
 * Registers the project's kernels for the `webgpu` backend, replacing stock ones of the same
 * name (the stock versions stay callable, see `stock.ts`). Idempotent. `softwareAdapter`
 * (llvmpipe and the like: a CPU runs the workgroups) sizes dispatches for a few CPU threads
 * instead of a GPU's hundreds of cores. The environment variable `SIMCLR_WEBGPU_KERNELS=stock`
 * leaves TensorFlow.js's own kernels in charge (the project ones hand over to them).
 */
export function registerWebGpuKernels(options: { softwareAdapter?: boolean } = {}): void {
  const set = kernelSetFromEnv();
  setWebGpuKernelsEnabled(set === "project");
  if (set === "stock" && options.softwareAdapter) {
    console.warn(
      "SIMCLR_WEBGPU_KERNELS=stock on a software adapter: Mesa llvmpipe ends a shader's loops " +
        "after 65535 iterations, and the stock Conv2DBackpropFilter loops over " +
        "batch*outH*outW per thread, so its filter gradients are wrong (cut short) for layers " +
        "where that passes 65535 (e.g. 64 views of 32x32). Use the project kernels (the default).",
    );
  }
  const cores = (globalThis.navigator as { hardwareConcurrency?: number })?.hardwareConcurrency;
  setSoftwareAdapter(options.softwareAdapter ?? false);
  // Software: one workgroup per CPU thread is enough to fill it. More split-K slices than the
  // loop limit needs measured neutral on llvmpipe (bench-net filter gradients at 2, 8, 32 and
  // 128 target workgroups, same run: 2.04, 2.35, 2.16, 2.09 CPU-s). An older figure, split-K
  // 2-3x slower, was wrong: the unsplit kernels it timed were cut short by the loop limit.
  setTargetWorkgroups(options.softwareAdapter ? Math.max(1, cores ?? 2) : 256);
  for (const config of webGpuKernelConfigs) {
    const current = tf.getKernel(config.kernelName, "webgpu");
    if (current === config) continue;
    if (current) {
      saveStock(config.kernelName);
      tf.unregisterKernel(config.kernelName, "webgpu");
    }
    tf.registerKernel(config);
  }
}

/** `SIMCLR_WEBGPU_KERNELS`: `project` (default) or `stock`. */
function kernelSetFromEnv(): "project" | "stock" {
  let value: string | undefined;
  try {
    value = Deno.env.get("SIMCLR_WEBGPU_KERNELS");
  } catch { /* no --allow-env: the default */ }
  if (value === undefined || value === "" || value === "project") return "project";
  if (value === "stock") return "stock";
  throw new RangeError(
    `SIMCLR_WEBGPU_KERNELS=${value}: use 'project' (the project's WebGPU kernels, default) ` +
      `or 'stock' (TensorFlow.js's own)`,
  );
}
