import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../../src/backend/start.ts";
import { assertClose, on, rand } from "./_compare.ts";
import { plainLoss, plainParams, type PlainResNetSpec } from "./_plain_resnet.ts";

const specs: [string, PlainResNetSpec, number[]][] = [
  ["bottleneck resnet, imagenet stem (7x7/2 + max pool)", {
    stem: "imagenet",
    block: "bottleneck",
    stemWidth: 8,
    widths: [4, 8],
    inChannels: 3,
    headDim: 8,
  }, [4, 17, 17, 3]],
  ["basic resnet, cifar stem", {
    stem: "cifar",
    block: "basic",
    stemWidth: 8,
    widths: [8, 16],
    inChannels: 3,
    headDim: 8,
  }, [6, 9, 9, 3]],
];

function lossAndGrads(spec: PlainResNetSpec, xShape: number[]): () => tf.Tensor[] {
  return () => {
    const p = plainParams(spec);
    const names = [...p.keys()];
    const x = rand(xShape, 42) as tf.Tensor4D;
    const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => {
      const q = new Map(names.map((n, i) => [n, ts[i]]));
      return plainLoss(spec, q, x);
    })(names.map((n) => p.get(n)!));
    return [value, ...grads];
  };
}

for (const [label, spec, xShape] of specs) {
  Deno.test(`forward+backward of a ${label} with BN and NT-Xent matches cpu`, async () => {
    const f = lossAndGrads(spec, xShape);
    const want = await on("cpu", f);
    const got = await on("wasm", f);
    assert.ok(want[0].values[0] > 0, "loss is positive");
    assertClose(got, want, 1e-4, label);
  });
}

Deno.test("repeated gradient calls on wasm leak no tensors and no wasm buffers", async () => {
  await startBackend("wasm");
  const [, spec, xShape] = specs[0];
  const f = lossAndGrads(spec, xShape);
  const run = () => tf.dispose(tf.tidy(f));
  run();
  const tensors = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  const bytes = tf.memory().numBytes;
  for (let i = 0; i < 3; i++) run();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.backend().numDataIds(), dataIds);
  assert.equal(tf.memory().numBytes, bytes);
});

Deno.test("the wasm kernels free their intermediates (data ids stable per kernel call)", async () => {
  await startBackend("wasm");
  const calls: [string, () => tf.Tensor][] = [
    ["Conv2DBackpropInput s2", () =>
      tf.engine().runKernel(tf.Conv2DBackpropInput, {
        dy: rand([2, 4, 4, 3], 1),
        filter: rand([3, 3, 2, 3], 2),
      }, {
        strides: [2, 2],
        pad: "same",
        dataFormat: "NHWC",
        inputShape: [2, 7, 7, 2],
      }) as tf.Tensor],
    ["Conv2DBackpropFilter s2 valid", () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, {
        x: rand([2, 8, 8, 2], 1),
        dy: rand([2, 3, 3, 3], 2),
      }, {
        strides: [2, 2],
        pad: "valid",
        dataFormat: "NHWC",
        filterShape: [3, 3, 2, 3],
      }) as tf.Tensor],
    [
      "BatchMatMul tA batched",
      () => tf.matMul(rand([3, 4, 5], 1), rand([3, 4, 2], 2), true, false),
    ],
  ];
  for (const [name, call] of calls) {
    tf.dispose(tf.tidy(call));
    const ids = tf.backend().numDataIds();
    tf.dispose(tf.tidy(call));
    assert.equal(tf.backend().numDataIds(), ids, name);
  }
});
