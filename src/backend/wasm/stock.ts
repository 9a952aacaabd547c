/**
 * The `wasm` backend's own kernels, callable from project kernels: those still registered and
 * those the project replaced (saved before replacement, set up lazily for each backend).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { Info } from "./heap.ts";

const saved = new Map<string, tf.KernelConfig>();
const setUp = new WeakMap<object, Set<string>>();

/** Remembers the stock `wasm` kernel `name` (if any) so it can still be called once replaced. */
export function saveStock(name: string): void {
  if (saved.has(name)) return;
  const config = tf.getKernel(name, "wasm");
  if (config) saved.set(name, config);
}

const added = new Set<string>();

/** Records that the project registered `name` where the wasm backend had no kernel. */
export function markAdded(name: string): void {
  added.add(name);
}

/** Whether a stock `wasm` kernel `name` exists (replaced or not). */
export function hasStock(name: string): boolean {
  return saved.has(name) || (!added.has(name) && tf.getKernel(name, "wasm") !== undefined);
}

/** Runs the stock `wasm` kernel `name` on `backend`, running its setup first if it never ran. */
export function stock(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, Info>,
  attrs: Record<string, unknown> = {},
): Info {
  const config = saved.get(name) ?? (added.has(name) ? undefined : tf.getKernel(name, "wasm"));
  if (!config) throw new Error(`the wasm backend has no kernel ${name}`);
  if (saved.has(name) && config.setupFunc) {
    let done = setUp.get(backend);
    if (!done) setUp.set(backend, done = new Set());
    if (!done.has(name)) {
      config.setupFunc(backend);
      done.add(name);
    }
  }
  return config.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    attrs: attrs as tf.NamedAttrMap,
    backend,
  }) as Info;
}
