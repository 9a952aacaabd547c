import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { conv2dFilterGradientOnly } from "../../src/model/conv.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { computeStepGradients } from "../../src/train/_step_objective.ts";
import { TINY, tinyBatch } from "../train/_fixtures.ts";

await tf.setBackend("cpu");

/** Names of the kernels `f` runs, in order (tf.profile). */
async function kernelNames(f: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(f);
  tf.dispose(info.result as tf.Tensor[]);
  return info.kernels.map((k) => k.name);
}

Deno.test("conv2dFilterGradientOnly: value and filter gradient equal tf.conv2d's; no input gradient is computed", async () => {
  for (const [stride, pad] of [[1, 1], [2, 3], [1, "valid"]] as const) {
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 5], 0, 1, "float32", 2) as tf.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, w, stride, pad).shape, 0, 1, "float32", 3);
    const want = tf.grad((ww) => tf.conv2d(x, ww as tf.Tensor4D, stride, pad).mul(dy).sum())(w);
    const got = tf.grad((ww) =>
      conv2dFilterGradientOnly(x, ww as tf.Tensor4D, stride, pad).mul(dy).sum()
    )(w);
    assert.deepEqual(await got.data(), await want.data(), `stride ${stride} pad ${pad}`);
    const names = await kernelNames(() =>
      tf.grad((ww) => conv2dFilterGradientOnly(x, ww as tf.Tensor4D, stride, pad).sum())(w)
    );
    assert.ok(names.includes("Conv2DBackpropFilter"), names.join(","));
    assert.ok(!names.includes("Conv2DBackpropInput"), names.join(","));
    tf.dispose([x, w, dy, want, got]);
  }
});

Deno.test("a training step computes no input gradient for the stem (the images), one for every other conv", async () => {
  const model = createModel(TINY); // stem + 3 stages of 2 convs: 7 convs
  const names = await kernelNames(() => {
    const g = computeStepGradients(model, tinyBatch(0));
    return [...Object.values(g.grads), g.loss, g.accuracy];
  });
  const count = (k: string) => names.filter((n) => n === k).length;
  assert.equal(count("Conv2DBackpropFilter"), 7);
  assert.equal(count("Conv2DBackpropInput"), 6);
  model.dispose();
});
