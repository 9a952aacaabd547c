/** Test helpers: run a computation on a named backend and compare results across backends. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../../src/backend/start.ts";

/** A tensor's values and shape, read back from its backend. */
export interface Result {
  shape: number[];
  values: Float32Array;
}

/** Runs `f` on `backend` (inputs made from plain arrays inside `f`), reads all outputs back. */
export async function on(
  backend: "cpu" | "wasm",
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Result[]> {
  await startBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const results: Result[] = [];
  for (const t of list) {
    results.push({ shape: t.shape, values: new Float32Array(await t.data()) });
    t.dispose();
  }
  return results;
}

/** Largest absolute difference divided by the largest reference magnitude. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, "lengths differ");
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Asserts that every `got` matches the `want` of the same index (shape and values). */
export function assertClose(got: Result[], want: Result[], tol = 1e-4, what = ""): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(got[i].shape, want[i].shape, `${what} output ${i} shape`);
    const e = relError(got[i].values, want[i].values);
    assert.ok(Number.isFinite(e) && e < tol, `${what} output ${i}: relative error ${e}`);
  }
}

/** Deterministic pseudo-random values in [-1, 1) (a small LCG; independent of any backend). */
export function randoms(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A tensor of {@link randoms} with `shape`. */
export function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randoms(shape.reduce((a, b) => a * b, 1), seed), shape);
}
