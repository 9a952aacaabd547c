/**
 * Gradients on `wasm` against central finite differences of the forward pass, on tiny shapes.
 * The losses are `sum(f(inputs) * r)` with a fixed random `r`, summed in float64. For the
 * (bi)linear ops (conv, matmul, average pool) central differences are exact up to float32
 * rounding of the forward pass; max pool is piecewise linear and the step stays below the gap
 * between the random values.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../../src/backend/start.ts";
import { randoms } from "./_compare.ts";

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;

/** Checks `tf.grads(f)` against central differences for every element of every input. */
function checkGrads(label: string, f: Fn, shapes: number[][], step = 1e-2, tol = 2e-3): void {
  const values = shapes.map((s, i) => randoms(s.reduce((a, b) => a * b, 1), 10 + i));
  const outShape = tf.tidy(() => f(...values.map((v, i) => tf.tensor(v, shapes[i]))).shape);
  const r = randoms(outShape.reduce((a, b) => a * b, 1), 99);
  const loss = (vals: Float32Array[]): number => {
    const out = tf.tidy(() => f(...vals.map((v, i) => tf.tensor(v, shapes[i]))).dataSync());
    let s = 0;
    for (let i = 0; i < r.length; i++) s += out[i] * r[i];
    return s;
  };
  const analytic = tf.tidy(() => {
    const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), tf.tensor(r, outShape))));
    return g(values.map((v, i) => tf.tensor(v, shapes[i]))).map((t) => t.dataSync());
  });
  values.forEach((v, k) => {
    let scale = 0, err = 0;
    for (let i = 0; i < v.length; i++) {
      const orig = v[i];
      v[i] = orig + step;
      const up = loss(values);
      v[i] = orig - step;
      const down = loss(values);
      v[i] = orig;
      const numeric = (up - down) / (2 * step);
      err = Math.max(err, Math.abs(numeric - analytic[k][i]));
      scale = Math.max(scale, Math.abs(numeric));
    }
    assert.ok(err <= tol * Math.max(scale, 1), `${label} input ${k}: error ${err}, scale ${scale}`);
  });
}

const convCases: [number, number, "same" | "valid", number[]][] = [
  [3, 1, "same", [2, 5, 4, 2]],
  [3, 2, "same", [1, 5, 6, 2]],
  [3, 2, "valid", [2, 6, 5, 3]],
  [1, 2, "valid", [1, 5, 5, 2]],
  [1, 1, "same", [2, 3, 3, 4]],
  [7, 2, "same", [1, 7, 8, 1]],
];
for (const [k, s, pad, xShape] of convCases) {
  Deno.test(`conv2d gradients (x and filter) vs finite differences: ${k}x${k}/${s} ${pad} ${xShape}`, async () => {
    await startBackend("wasm");
    checkGrads(
      `conv ${k}/${s}/${pad}`,
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad),
      [xShape, [k, k, xShape[3], 3]],
    );
  });
}

Deno.test("matMul gradients with transposed operands vs finite differences", async () => {
  await startBackend("wasm");
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    checkGrads(
      `matMul ${ta} ${tb}`,
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb),
      [ta ? [4, 3] : [3, 4], tb ? [5, 4] : [4, 5]],
    );
  }
});

Deno.test("pooling gradients vs finite differences (max 3x3/2 same, avg 2x2/2, global mean)", async () => {
  await startBackend("wasm");
  checkGrads("maxPool", (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same"), [[2, 5, 5, 2]], 1e-4);
  checkGrads("avgPool", (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid"), [[1, 4, 6, 3]]);
  checkGrads("mean", (x) => tf.mean(x, [1, 2]), [[2, 3, 3, 4]]);
});

Deno.test("max pool gradient of all-zero and all-negative windows (post-ReLU) goes to the window's max", async () => {
  await startBackend("wasm");
  // 1x4x4x1, 2x2/2 valid: windows of zeros and of negatives; the first max of each gets dy.
  const x = tf.tensor4d([0, 0, -3, -1, 0, 0, -2, -5, -1, -1, 4, 0, -1, -1, 0, 0], [1, 4, 4, 1]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, "valid")))(x);
  assert.deepEqual(
    Array.from(g.dataSync()),
    [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0],
  );
  tf.dispose([x, g]);
});
