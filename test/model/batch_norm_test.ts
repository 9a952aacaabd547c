import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { BatchNorm, batchNormTraining } from "../../src/model/batch_norm.ts";
import { commitRunningStats } from "../../src/model/running_stats.ts";
import type { RunningStatUpdate } from "../../src/model/forward_context.ts";
import { ParamStore } from "../../src/model/params.ts";

await tf.setBackend("cpu");

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

/** Reference: tf.moments + tf.batchNorm (+ relu) with TensorFlow.js's stock gradients. */
function stock(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, relu: boolean) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm(x, mean, variance, b, g, 1e-5);
  return relu ? tf.relu(y) : y;
}

Deno.test("batchNormTraining: output and gradients equal the stock ops (with and without ReLU)", async () => {
  const x = tf.randomNormal([3, 4, 5, 6], 0.5, 2, "float32", 11);
  const g = tf.randomNormal([6], 1, 0.3, "float32", 12);
  const b = tf.randomNormal([6], 0, 0.3, "float32", 13);
  const dy = tf.randomNormal([3, 4, 5, 6], 0, 1, "float32", 14);
  for (const relu of [false, true]) {
    const ours = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const r = batchNormTraining(xi, gi, bi, 1e-5, relu);
      r.mean.dispose();
      r.variance.dispose();
      return tf.sum(tf.mul(r.y, dy));
    })([x, g, b]);
    const ref = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(stock(xi, gi, bi, relu), dy))
    )([x, g, b]);
    for (let i = 0; i < 3; i++) {
      close(await ours[i].data(), await ref[i].data(), 2e-4, `relu=${relu} grad ${i}`);
    }
    const y1 = batchNormTraining(x, g, b, 1e-5, relu);
    const y2 = stock(x, g, b, relu);
    close(await y1.y.data(), await y2.data(), 1e-4, `relu=${relu} forward`);
    tf.dispose([...ours, ...ref, y1.y, y1.mean, y1.variance, y2]);
  }
});

Deno.test("BatchNorm: running statistics follow PyTorch (unbiased var, momentum 0.1), inference uses them", async () => {
  const store = new ParamStore();
  const bn = new BatchNorm(store, "bn", 2);
  const data = [1, 2, 3, 6, 5, 10, 7, 14]; // [4, 2]: channel 0: 1,3,5,7; channel 1: 2,6,10,14
  const x = tf.tensor2d(data, [4, 2]);
  const updates: RunningStatUpdate[] = [];
  tf.dispose(bn.apply(x, { training: true, updates }));
  commitRunningStats(updates);
  // channel 0: mean 4, unbiased var 20/3; channel 1: mean 8, var 80/3
  close(await bn.runningMean.variable.data(), [0.4, 0.8], 1e-6, "running_mean");
  close(await bn.runningVar.variable.data(), [0.9 + 2 / 3, 0.9 + 8 / 3], 1e-5, "running_var");
  assert.equal((await bn.batchesTracked.variable.data())[0], 1);
  const y = bn.apply(x, { training: false });
  const rm = [0.4, 0.8];
  const rv = [0.9 + 2 / 3, 0.9 + 8 / 3];
  close(
    await y.data(),
    data.map((v, i) => (v - rm[i % 2]) / Math.sqrt(rv[i % 2] + 1e-5)),
    1e-5,
    "inference",
  );
  tf.dispose([x, y]);
  store.dispose();
});

Deno.test("batchNormTraining: identity all-reduce hooks (global BN seam) change nothing", async () => {
  const x = tf.randomNormal([8, 3], 0, 1, "float32", 5);
  const g = tf.ones([3]);
  const b = tf.zeros([3]);
  const hooks = { allReduceSum: (t: tf.Tensor2D) => t, globalCount: (m: number) => m };
  const [gx1] = tf.grads((xi: tf.Tensor) => {
    const r = batchNormTraining(xi, g, b, 1e-5, true, hooks);
    tf.dispose([r.mean, r.variance]);
    return tf.sum(tf.mul(r.y, tf.range(0, 24).reshape([8, 3])));
  })([x]);
  const [gx2] = tf.grads((xi: tf.Tensor) => {
    const r = batchNormTraining(xi, g, b, 1e-5, true);
    tf.dispose([r.mean, r.variance]);
    return tf.sum(tf.mul(r.y, tf.range(0, 24).reshape([8, 3])));
  })([x]);
  close(await gx1.data(), await gx2.data(), 1e-4, "dx");
  tf.dispose([x, g, b, gx1, gx2]);
});
