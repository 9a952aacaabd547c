import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  nativeBatchNorm,
  nativeBatchNormAvailable,
} from "../../../src/backend/native/batch_norm.ts";
import { hasDnnl, random, relError, skipReason, useNative } from "./_harness.ts";

const why = hasDnnl ? "" : ` (skipped: ${skipReason})`;

/** Output, batch mean, biased variance and the gradients of sum(y * w), composed from tf ops. */
function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, w: tf.Tensor, relu: boolean) {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
    const { mean, variance } = tf.moments(xi, axes);
    const y = tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, 1e-5))), gi), bi);
    return relu ? tf.relu(y) : y;
  };
  const { mean, variance } = tf.moments(x, axes);
  const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
    tf.sum(tf.mul(f(xi, gi, bi), w))
  )([x, g, b]);
  return [f(x, g, b), mean, variance, ...grads];
}

Deno.test({
  name: `nativeBatchNorm (+ReLU) forward and gradients match composed ops on cpu, no leaks${why}`,
  ignore: !hasDnnl,
  async fn() {
    for (const shape of [[3, 5, 7, 6], [1, 4, 4, 32], [9, 17], [2, 8, 8, 64]]) {
      for (const relu of [false, true]) {
        const c = shape[shape.length - 1];
        const n = shape.reduce((a, b) => a * b, 1);
        const xs = random(n, 1).map((v, i) => 3 * v + (i % c)); // per-channel offsets
        const gs = random(c, 2).map((v) => 1 + 0.5 * v), bs = random(c, 3), ws = random(n, 4);
        const make = () =>
          [tf.tensor(xs, shape), tf.tensor(gs), tf.tensor(bs), tf.tensor(ws, shape)] as const;
        await tf.setBackend("cpu");
        const ref = tf.tidy(() => {
          const [x, g, b, w] = make();
          return reference(x, g, b, w, relu).map((t) => Float32Array.from(t.dataSync()));
        });
        await useNative();
        assert.ok(nativeBatchNormAvailable());
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => {
          const [x, g, b, w] = make();
          let stats: tf.Tensor[] = [];
          const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
            const { y, mean, variance } = nativeBatchNorm(xi, gi, bi, 1e-5, relu);
            stats = [mean, variance];
            return tf.sum(tf.mul(y, w));
          })([x, g, b]);
          const { y, mean, variance } = nativeBatchNorm(x, g, b, 1e-5, relu);
          const out = [y, mean, variance, ...grads].map((t) => Float32Array.from(t.dataSync()));
          tf.dispose([mean, variance, ...stats]);
          return out;
        });
        assert.equal(tf.memory().numTensors, before, "leaked tensors");
        ["y", "mean", "variance", "dx", "dgamma", "dbeta"].forEach((name, i) => {
          const err = relError(got[i], ref[i]);
          assert.ok(err < 1e-4, `[${shape}] relu=${relu} ${name}: relative error ${err}`);
        });
      }
    }
  },
});

Deno.test({
  name: `nativeBatchNorm statistics and output stay at float32 rounding for large M${why}`,
  ignore: !hasDnnl,
  async fn() {
    // 65536 rows whose mean is 4 standard deviations from 0. With the statistics oneDNN computes
    // itself (each channel summed in sequence, in float32) the mean, variance and output came out
    // 3.7e-6, 7.9e-6 and 1.6e-5 off in relative L2 against float64; now 3.7e-8, 4.3e-8, 1.7e-7
    // (the output's is oneDNN's normalization arithmetic: 1.8e-7 given the exact statistics).
    const [n, h, c] = [16, 64, 64];
    const m = n * h * h;
    const xs = random(m * c, 11).map((v, i) => v + 2 + (i % c) / c); // offsets, as after ReLU
    const mu = new Float64Array(c), v = new Float64Array(c);
    for (let i = 0; i < xs.length; i++) mu[i % c] += xs[i] / m;
    for (let i = 0; i < xs.length; i++) v[i % c] += (xs[i] - mu[i % c]) ** 2 / m;
    await useNative();
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(xs, [n, h, h, c]);
    const g = tf.ones([c]), b = tf.zeros([c]);
    const out = nativeBatchNorm(x, g, b, 1e-5, false);
    const [y, mean, variance] = [out.y, out.mean, out.variance].map((t) => t.dataSync());
    tf.dispose([x, g, b, out.y, out.mean, out.variance]);
    assert.equal(tf.memory().numTensors, before, "leaked tensors");
    const rel = (got: ArrayLike<number>, want: (i: number) => number) => {
      let d = 0, s = 0;
      for (let i = 0; i < got.length; i++) {
        d += (got[i] - want(i)) ** 2;
        s += want(i) ** 2;
      }
      return Math.sqrt(d / s);
    };
    const errs = {
      mean: rel(mean, (j) => mu[j]),
      variance: rel(variance, (j) => v[j]),
      y: rel(y, (i) => (xs[i] - mu[i % c]) / Math.sqrt(v[i % c] + 1e-5)),
    };
    for (const [name, err] of Object.entries(errs)) {
      assert.ok(err < 1e-6, `${name}: relative L2 error ${err} against float64`);
    }
  },
});
