/**
 * The project's fused `webgpu` batch norm (+ReLU) against the composed batch norm of the model
 * (`batchNormTraining`) on the `cpu` backend: output, batch mean and variance, and the
 * gradients of a weighted sum of the output with respect to x, gamma and beta; channel counts
 * that are and are not multiples of 4, batch 1, a large mean against the spread (the shifted
 * sums must not cancel), rows past one workgroup's share, rows a thread could not loop over
 * within the loop limit of software adapters (a lowered limit forces the split); no tensor
 * growth.
 * Tolerance 1e-4 relative (max |diff| / max |cpu|). Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";
import { randoms, relError } from "./wasm/_compare.ts";
import { webGpuBatchNorm } from "../../src/backend/webgpu/batch_norm.ts";
import { batchNormTraining } from "../../src/model/batch_norm.ts";
import { setLoopLimit } from "../../src/backend/webgpu/tuning.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu batch norm tests skipped: ${skip}`);

const TOL = 1e-4;

interface Case {
  shape: [number, number, number, number];
  relu: boolean;
  /** Added to x: a mean far from 0 relative to the spread. */
  offset?: number;
}

const CASES: Case[] = [
  { shape: [2, 5, 5, 8], relu: true },
  { shape: [2, 5, 5, 8], relu: false },
  { shape: [3, 4, 4, 6], relu: true }, // channels not a multiple of 4
  { shape: [1, 3, 3, 32], relu: false }, // batch 1
  { shape: [4, 3, 5, 12], relu: true, offset: 100 }, // large mean
  { shape: [8, 16, 16, 4], relu: true }, // 2048 rows: several row blocks
  { shape: [2, 2, 2, 300], relu: false }, // more channels than a workgroup's lanes
];

type Result = Record<"y" | "mean" | "variance" | "dx" | "dgamma" | "dbeta", Float32Array>;

/** The forward values and the gradients of `sum(y * w)` for a seeded `w`. */
async function evaluate(c: Case, fused: boolean): Promise<Result> {
  const [n, h, w, ch] = c.shape;
  const size = n * h * w * ch;
  const xs = randoms(size, 11).map((v) => 3 * v + (c.offset ?? 0));
  const x = tf.tensor4d(xs, c.shape);
  const gamma = tf.tensor1d(randoms(ch, 12).map((v) => 1 + v));
  const beta = tf.tensor1d(randoms(ch, 13));
  const weights = tf.tensor4d(randoms(size, 14), c.shape);
  const eps = 1e-5;
  let stats: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
  const op = fused ? webGpuBatchNorm : batchNormTraining;
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = op(a, g, b, eps, c.relu);
    if (!stats) stats = { mean: r.mean, variance: r.variance };
    else tf.dispose([r.mean, r.variance]);
    return r.y;
  };
  const y = tf.tidy(() => f(x, gamma, beta));
  const { grads } = tf.tidy(() => {
    const g = tf.grads((a, gm, b) => tf.sum(tf.mul(f(a, gm, b), weights)));
    return { grads: g([x, gamma, beta]) };
  });
  const m = n * h * w;
  // The composed op returns the unbiased variance, the fused one the biased: compare biased.
  const variance = fused ? stats!.variance : tf.mul(stats!.variance, (m - 1) / m);
  const out: Result = {
    y: new Float32Array(await y.data()),
    mean: new Float32Array(await stats!.mean.data()),
    variance: new Float32Array(await variance.data()),
    dx: new Float32Array(await grads[0].data()),
    dgamma: new Float32Array(await grads[1].data()),
    dbeta: new Float32Array(await grads[2].data()),
  };
  tf.dispose([x, gamma, beta, weights, y, stats!.mean, stats!.variance, variance, ...grads]);
  return out;
}

Deno.test({
  name: "webgpu fused batch norm (+ReLU) matches the composed batch norm on cpu, values and " +
    "gradients",
  ignore: Boolean(skip),
  async fn() {
    await startBackend("cpu");
    const want: Result[] = [];
    for (const c of CASES) want.push(await evaluate(c, false));
    try {
      await startBackend("webgpu");
      const before = tf.memory().numTensors;
      for (let i = 0; i < CASES.length; i++) {
        const got = await evaluate(CASES[i], true);
        for (const key of Object.keys(got) as (keyof Result)[]) {
          const e = relError(got[key], want[i][key]);
          assert.ok(e <= TOL, `${JSON.stringify(CASES[i])} ${key}: relative error ${e} > ${TOL}`);
        }
      }
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
    } finally {
      await startBackend("cpu");
    }
  },
});

Deno.test({
  name: "webgpu fused batch norm splits rows a thread could not loop over within the loop limit",
  ignore: Boolean(skip),
  async fn() {
    // 16384 rows of 32 channels: with the limit lowered to 200 loop iterations per invocation,
    // every pass needs more row blocks than it would pick by itself.
    const cases: Case[] = [
      { shape: [16, 32, 32, 32], relu: true },
      { shape: [8, 16, 16, 4], relu: false },
    ];
    await startBackend("cpu");
    const want: Result[] = [];
    for (const c of cases) want.push(await evaluate(c, false));
    try {
      await startBackend("webgpu");
      setLoopLimit(200);
      for (let i = 0; i < cases.length; i++) {
        const got = await evaluate(cases[i], true);
        for (const key of Object.keys(got) as (keyof Result)[]) {
          const e = relError(got[key], want[i][key]);
          assert.ok(e <= TOL, `${JSON.stringify(cases[i])} ${key}: relative error ${e} > ${TOL}`);
        }
      }
    } finally {
      setLoopLimit(65000);
      await startBackend("cpu");
    }
  },
});
