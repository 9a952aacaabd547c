/** Shared set-up for the native-kernel tests: loads the provider once, or says why it skips. */
import * as tf from "@tensorflow/tfjs";
import { loadNativeProvider, type NativeProvider } from "../../../src/backend/native/load.ts";
import { startWasm } from "../../../src/backend/wasm_start.ts";

let provider: NativeProvider | null = null;
let reason = "";
try {
  provider = await loadNativeProvider({ threads: 1 });
} catch (err) {
  reason = (err as Error).message;
  console.log(`SKIP native kernel tests: ${reason}`);
}

/** Whether the native libraries loaded (tests are ignored otherwise). */
export const available = provider !== null;
/** Whether oneDNN loaded (convolution, pooling and batch-norm kernels need it). */
export const hasDnnl = provider !== null && /oneDNN \d/.test(provider.device);
if (provider && !hasDnnl) console.log("SKIP oneDNN kernel tests: only OpenBLAS loaded");
/** Why they did not. */
export const skipReason = reason || (available && !hasDnnl ? "oneDNN (libdnnl2) not loaded" : "");

let started = false;

/** Makes `wasm` + native kernels the active backend. */
export async function useNative(): Promise<NativeProvider> {
  if (!provider) throw new Error(reason);
  if (!started) {
    await startWasm();
    provider.register();
    started = true;
  }
  await tf.setBackend("wasm");
  return provider;
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** max |a - b| / max |b| (0 when both are empty). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Runs `f` on `cpu` and on `native` with the same inputs; returns both results' values and
 * checks that the native run leaked no tensors.
 */
export async function onBoth(
  inputs: { shape: number[]; seed: number }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor[],
): Promise<{ cpu: Float32Array[]; native: Float32Array[]; leaked: number }> {
  const values = inputs.map(({ shape, seed }) => random(shape.reduce((a, b) => a * b, 1), seed));
  const run = () =>
    tf.tidy(() => f(...inputs.map(({ shape }, i) => tf.tensor(values[i], shape)))).map((t) => {
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return Float32Array.from(v);
    });
  await tf.setBackend("cpu");
  const cpu = run();
  await useNative();
  const before = tf.memory().numTensors;
  const native = run();
  const leaked = tf.memory().numTensors - before;
  return { cpu, native, leaked };
}
