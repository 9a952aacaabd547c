/**
 * The project's `webgpu` `AvgPoolGrad` (global average pooling) against `cpu`, channel counts
 * that are and are not multiples of 4, batch 1; a non-global pool goes to the stock kernel and
 * must match too. Tolerance 1e-6 relative. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu AvgPoolGrad tests skipped: ${skip}`);

const CASES: { shape: [number, number, number, number]; window?: number }[] = [
  { shape: [2, 5, 5, 8] },
  { shape: [3, 4, 4, 6] },
  { shape: [1, 7, 7, 3] },
  { shape: [2, 6, 6, 4], window: 2 }, // not global: the stock kernel
];

/** The gradient of `sum(avgPool(x) * w)` with respect to x, as values. */
async function grad(c: (typeof CASES)[number]): Promise<Float32Array> {
  const [n, h, w, ch] = c.shape;
  const k = c.window ?? h;
  const x = tf.tensor4d(Array.from({ length: n * h * w * ch }, (_, i) => Math.sin(i)), c.shape);
  const oh = Math.floor(h / k), ow = Math.floor(w / (c.window ?? w));
  const weights = tf.tensor4d(
    Array.from({ length: n * oh * ow * ch }, (_, i) => Math.cos(3 * i)),
    [n, oh, ow, ch],
  );
  const window: [number, number] = [k, c.window ?? w];
  const g = tf.grad((a: tf.Tensor) =>
    tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, window, window, "valid"), weights))
  );
  const dx = g(x);
  const out = new Float32Array(await dx.data());
  tf.dispose([x, weights, dx]);
  return out;
}

Deno.test({
  name: "webgpu AvgPoolGrad (global pooling) matches cpu",
  ignore: Boolean(skip),
  async fn() {
    await startBackend("cpu");
    const want = [];
    for (const c of CASES) want.push(await grad(c));
    try {
      await startBackend("webgpu");
      for (let i = 0; i < CASES.length; i++) {
        const got = await grad(CASES[i]);
        let diff = 0, scale = 0;
        for (let j = 0; j < got.length; j++) {
          diff = Math.max(diff, Math.abs(got[j] - want[i][j]));
          scale = Math.max(scale, Math.abs(want[i][j]));
        }
        assert.ok(diff / scale <= 1e-6, `${JSON.stringify(CASES[i])}: ${diff / scale}`);
      }
    } finally {
      await startBackend("cpu");
    }
  },
});
