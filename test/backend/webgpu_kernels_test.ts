/**
 * Every kernel that SimCLR training and evaluation run is registered on `webgpu`: one profiled
 * step of a ResNet-18 (CIFAR stem, 2-layer head) with BN, NT-Xent, the backward pass, the BN
 * running-statistics update, a LARS and a momentum-SGD update, then the evaluation path
 * (inference-mode encoder, kNN with top-k). TensorFlow.js would throw on a missing kernel; this
 * lists them, checks each against the registry, and checks that the stock kernels the project's
 * custom gradients call (the conv backprop pair) are among them. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";
import { extractFeatures } from "../../src/eval/features.ts";
import { knnClassify } from "../../src/eval/knn.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { Rng } from "../../src/streams/rng.ts";
import { computeStepGradients } from "../../src/train/_step_objective.ts";
import { Lars } from "../../src/train/lars.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import { disposeStepGradients } from "../../src/train/step_gradients.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu kernel tests skipped: ${skip}`);

/** Kernels that a ResNet-18 SimCLR step cannot do without. */
const ESSENTIAL = [
  "Conv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "BatchMatMul",
  "Relu",
  "Step",
  "Rsqrt",
  "Mean",
  "Max",
  "Sum",
  "Exp",
  "Log",
  "OneHot",
  "ArgMax",
  "Sqrt",
  "Select",
  "TopK",
];

Deno.test({
  name: "webgpu: every kernel of a ResNet-18 SimCLR step (forward, backward, LARS, SGD, kNN) " +
    "is registered",
  ignore: Boolean(skip),
  async fn() {
    await startBackend("webgpu");
    const model = createModel({
      encoder: "resnet18",
      stem: "cifar",
      widthMultiplier: 0.125,
      head: { layers: 2, outDim: 16 },
      seed: 0,
    });
    const lars = new Lars();
    const sgd = new MomentumSgd({ momentum: 0.9, weightDecay: 1e-6 });
    const pairs = 2, side = 8;
    const views = new Float32Array(2 * pairs * side * side * 3);
    Rng.fromSeed(5, "kernels").fillNormal(views);
    const batch = {
      microStep: 0,
      epoch: 0,
      size: pairs,
      height: side,
      width: side,
      channels: 3,
      views,
      keys: [],
      labels: Int32Array.of(0, 1),
      indices: Int32Array.of(0, 1),
    };
    try {
      const info = await tf.profile(async () => {
        for (const opt of [lars, sgd]) {
          const g = computeStepGradients(model, batch, { temperature: 0.5 });
          const [loss] = await g.loss.data();
          assert.ok(Number.isFinite(loss));
          opt.apply(model.store.trainable(), g.grads, 0.1);
          disposeStepGradients(g);
        }
        const encode = (x: tf.Tensor4D) =>
          model.encoder.apply(x, { training: false }) as tf.Tensor2D;
        const feats = await extractFeatures(encode, [batch]);
        await knnClassify(feats, feats, { k: 2 });
      });
      const names = [...new Set(info.kernels.map((k) => k.name))].sort();
      // customGrad records its scopes ("forward", ...) like kernels: they are registered nowhere.
      // The project's own webgpu kernels (fused batch norm) are registered on webgpu only.
      const kernels = names.filter((n) =>
        tf.getKernel(n, "cpu") !== undefined || tf.getKernel(n, "webgpu") !== undefined
      );
      const scopes = names.filter((n) => !kernels.includes(n));
      console.log(`  ${kernels.length} kernels: ${kernels.join(" ")}`);
      console.log(`  (customGrad scopes, not kernels: ${scopes.join(", ")})`);
      const missing = kernels.filter((n) => tf.getKernel(n, "webgpu") === undefined);
      assert.deepEqual(missing, [], `not registered on webgpu: ${missing}`);
      for (const s of scopes) assert.equal(tf.getKernel(s, "webgpu"), undefined);
      const absent = ESSENTIAL.filter((n) => !kernels.includes(n));
      assert.deepEqual(absent, [], `the profile did not see ${absent}`);
    } finally {
      lars.dispose();
      sgd.dispose();
      model.dispose();
      await startBackend("cpu");
    }
  },
});
