/**
 * The `webgpu` backend's own kernels, kept callable once the project replaced them: the
 * project kernels hand over to them for what they do not cover, and whenever the project set
 * is switched off ({@link setWebGpuKernelsEnabled}), so one process can measure both.
 */
import * as tf from "@tensorflow/tfjs";

const saved = new Map<string, tf.KernelConfig>();
let enabled: boolean | ReadonlySet<string> = true;

/** Remembers the stock `webgpu` kernel `name` (if any) before the project replaces it. */
export function saveStock(name: string): void {
  if (saved.has(name)) return;
  const config = tf.getKernel(name, "webgpu");
  if (config) saved.set(name, config);
}

/** Runs the stock `webgpu` kernel `name` with the arguments a kernel function received. */
export function stock(name: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  const config = saved.get(name);
  if (!config) throw new Error(`the webgpu backend has no stock kernel ${name} saved`);
  return config.kernelFunc(args);
}

/**
 * Turns the project's `webgpu` kernels on (the default) or off (every call goes to the stock
 * kernel, and the model's batch norm takes the generic path), or on for the named ones only.
 */
export function setWebGpuKernelsEnabled(on: boolean | string[]): void {
  enabled = typeof on === "boolean" ? on : new Set(on);
}

/** Whether the project kernel `name` runs now. */
export function webGpuKernelEnabled(name: string): boolean {
  return enabled === true || (enabled !== false && enabled.has(name));
}
