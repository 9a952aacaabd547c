import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeProvider } from "../../../src/backend/native/load.ts";
import { available, hasDnnl, onBoth, relError, skipReason, useNative } from "./_harness.ts";

const TOL = 1e-4;
const ignore = !available;
const why = ignore ? ` (skipped: ${skipReason})` : "";
const ignoreDnnl = !hasDnnl;
const whyDnnl = ignoreDnnl ? ` (skipped: ${skipReason})` : "";

function close(name: string, cpu: Float32Array[], native: Float32Array[], leaked: number) {
  assert.equal(leaked, 0, `${name}: ${leaked} tensors leaked`);
  cpu.forEach((ref, i) => {
    const err = relError(native[i], ref);
    assert.ok(err < TOL, `${name} output ${i}: relative error ${err}`);
  });
}

Deno.test({
  name: `native registers its kernels on wasm${why}`,
  ignore,
  async fn() {
    const provider = await useNative();
    for (
      const k of hasDnnl
        ? [
          "Conv2D",
          "FusedConv2D",
          "Conv2DBackpropInput",
          "Conv2DBackpropFilter",
          "BatchMatMul",
          "_FusedMatMul",
          "AvgPool",
          "AvgPoolGrad",
          "MaxPool",
          "MaxPoolGrad",
        ]
        : ["BatchMatMul", "_FusedMatMul"]
    ) {
      assert.ok(provider.kernels?.includes(k), `${k} not registered`);
    }
    assert.match(provider.device, /oneDNN|OpenBLAS/);
    // A second provider (e.g. `startBackend("native", { threads: 2 })` later in the process)
    // drives the same kernels; its thread count applies when it registers.
    const again = await loadNativeProvider({ threads: 2 });
    assert.equal(provider.threads, 1);
    again.register();
    assert.deepEqual(again.kernels, provider.kernels);
    assert.match(again.device, /2 threads/);
    provider.register();
  },
});

interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  k: number;
  s: number;
  pad: "same" | "valid" | number;
  dil?: number;
}

const CONV_CASES: ConvCase[] = [];
for (const k of [1, 3, 7]) {
  for (const s of [1, 2]) {
    for (const pad of ["same", "valid"] as const) {
      CONV_CASES.push({ n: 1, h: 9, w: 11, c: 3, o: 5, k, s, pad });
      CONV_CASES.push({ n: 3, h: 10, w: 8, c: 16, o: 7, k, s, pad });
    }
  }
}
CONV_CASES.push({ n: 2, h: 8, w: 8, c: 32, o: 64, k: 3, s: 2, pad: "same" });
CONV_CASES.push({ n: 2, h: 6, w: 5, c: 4, o: 3, k: 3, s: 1, pad: "same", dil: 2 });
// Explicit symmetric padding, as the model's convs use (torchvision's `padding`).
CONV_CASES.push({ n: 3, h: 9, w: 8, c: 5, o: 6, k: 3, s: 2, pad: 1 });
CONV_CASES.push({ n: 2, h: 15, w: 16, c: 3, o: 8, k: 7, s: 2, pad: 3 });
CONV_CASES.push({ n: 1, h: 8, w: 8, c: 4, o: 4, k: 3, s: 1, pad: 1 });

const label = (c: ConvCase) =>
  `${c.n}x${c.h}x${c.w}x${c.c} k${c.k} o${c.o} s${c.s} ${c.pad}${c.dil ? ` d${c.dil}` : ""}`;

Deno.test({
  name: `Conv2D and FusedConv2D (bias + relu) match cpu${whyDnnl}`,
  ignore: ignoreDnnl,
  async fn() {
    for (const [i, cc] of CONV_CASES.entries()) {
      const { cpu, native, leaked } = await onBoth(
        [
          { shape: [cc.n, cc.h, cc.w, cc.c], seed: 1 + i },
          { shape: [cc.k, cc.k, cc.c, cc.o], seed: 100 + i },
          { shape: [cc.o], seed: 200 + i },
        ],
        (x, f, b) => [
          tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, cc.s, cc.pad, "NHWC", cc.dil ?? 1),
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: f as tf.Tensor4D,
            strides: cc.s,
            pad: cc.pad,
            dilations: cc.dil ?? 1,
            bias: b,
            activation: "relu",
          }),
        ],
      );
      close(label(cc), cpu, native, leaked);
    }
  },
});

Deno.test({
  name: `Conv2DBackpropInput and Conv2DBackpropFilter match cpu${whyDnnl}`,
  ignore: ignoreDnnl,
  async fn() {
    for (const [i, cc] of CONV_CASES.entries()) {
      if (cc.dil) continue; // TensorFlow.js has no gradient for dilated conv2d
      const out = (size: number) =>
        typeof cc.pad === "number"
          ? Math.floor((size + 2 * cc.pad - cc.k) / cc.s) + 1
          : cc.pad === "same"
          ? Math.ceil(size / cc.s)
          : Math.ceil((size - cc.k + 1) / cc.s);
      const outH = out(cc.h), outW = out(cc.w);
      if (outH <= 0 || outW <= 0) continue;
      const { cpu, native, leaked } = await onBoth(
        [
          { shape: [cc.n, cc.h, cc.w, cc.c], seed: 300 + i },
          { shape: [cc.k, cc.k, cc.c, cc.o], seed: 400 + i },
          { shape: [cc.n, outH, outW, cc.o], seed: 500 + i },
        ],
        (x, f, dy) => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, cc.s, cc.pad).mul(dy).sum()
          );
          return g([x, f]);
        },
      );
      close(`grad ${label(cc)}`, cpu, native, leaked);
    }
  },
});

Deno.test({
  name: `BatchMatMul and _FusedMatMul match cpu for every transpose and broadcast${why}`,
  ignore,
  async fn() {
    const shapes: [number[], number[]][] = [
      [[1, 1], [1, 1]],
      [[7, 5], [5, 3]],
      [[33, 65], [65, 17]],
      [[128, 512], [512, 128]],
    ];
    let seed = 1000;
    for (const [aS, bS] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = ta ? [aS[1], aS[0]] : aS;
          const b = tb ? [bS[1], bS[0]] : bS;
          const { cpu, native, leaked } = await onBoth(
            [
              { shape: a, seed: seed++ },
              { shape: b, seed: seed++ },
              { shape: [bS[1]], seed: seed++ },
            ],
            (x, y, bias) => [
              tf.matMul(x, y, ta, tb),
              tf.fused.matMul({
                a: x,
                b: y,
                transposeA: ta,
                transposeB: tb,
                bias,
                activation: "relu",
              }),
            ],
          );
          close(`matmul ${a}${ta ? "^T" : ""} x ${b}${tb ? "^T" : ""}`, cpu, native, leaked);
        }
      }
    }
    // Batched, with the right operand broadcast over the batch.
    for (
      const [a, b] of [[[3, 4, 5], [3, 5, 6]], [[4, 6, 5], [1, 5, 7]], [[2, 3, 4, 5], [3, 5, 2]]]
    ) {
      const { cpu, native, leaked } = await onBoth(
        [{ shape: a, seed: seed++ }, { shape: b, seed: seed++ }],
        (x, y) => [tf.matMul(x, y)],
      );
      close(`batched matmul ${a} x ${b}`, cpu, native, leaked);
    }
  },
});

Deno.test({
  name: `AvgPool, MaxPool and their gradients match cpu${whyDnnl}`,
  ignore: ignoreDnnl,
  async fn() {
    const cases: [number[], number, number, "same" | "valid"][] = [
      [[1, 7, 9, 3], 3, 2, "same"],
      [[3, 8, 8, 5], 2, 2, "valid"],
      [[2, 11, 10, 4], 3, 2, "valid"],
      [[4, 4, 4, 16], 4, 4, "valid"], // global pooling
      [[2, 6, 5, 3], 3, 1, "same"],
    ];
    for (const [i, [shape, k, s, pad]] of cases.entries()) {
      const { cpu, native, leaked } = await onBoth(
        [{ shape, seed: 600 + i }],
        (x) => {
          const f = (a: tf.Tensor) =>
            tf.avgPool(a as tf.Tensor4D, k, s, pad).sum().add(
              tf.maxPool(a as tf.Tensor4D, k, s, pad).square().sum(),
            );
          return [
            tf.avgPool(x as tf.Tensor4D, k, s, pad),
            tf.maxPool(x as tf.Tensor4D, k, s, pad),
            tf.grad(f)(x),
          ];
        },
      );
      close(`pool ${shape} k${k} s${s} ${pad}`, cpu, native, leaked);
    }
  },
});

Deno.test({
  name: `a small residual network's training step on native matches cpu${whyDnnl}`,
  ignore: ignoreDnnl,
  async fn() {
    // Stem 3x3, a strided block with a 1x1 projection shortcut, batch-norm, global pooling,
    // a two-layer head and a softmax loss: every kernel the native path registers.
    const shapes: Record<string, number[]> = {
      stem: [3, 3, 3, 8],
      c1: [3, 3, 8, 16],
      c2: [3, 3, 16, 16],
      proj: [1, 1, 8, 16],
      fc1: [16, 12],
      fc1b: [12],
      fc2: [12, 4],
    };
    const names = Object.keys(shapes);
    const inputs = [
      { shape: [5, 12, 12, 3], seed: 7 },
      ...names.map((n, i) => ({ shape: shapes[n], seed: 50 + i })),
    ];
    const { cpu, native, leaked } = await onBoth(inputs, (x, ...ps) => {
      const p = Object.fromEntries(names.map((n, i) => [n, ps[i].mul(0.5)]));
      const bn = (t: tf.Tensor4D) => {
        const { mean, variance } = tf.moments(t, [0, 1, 2]);
        const c = t.shape[3];
        return tf.batchNorm(t, mean, variance, tf.zeros([c]), tf.ones([c]), 1e-5) as tf.Tensor4D;
      };
      const loss = (...vs: tf.Tensor[]) => {
        const q = Object.fromEntries(names.map((n, i) => [n, vs[i]]));
        const h0 = tf.relu(bn(tf.conv2d(x as tf.Tensor4D, q.stem as tf.Tensor4D, 1, "same")));
        const h1 = tf.relu(bn(tf.conv2d(h0, q.c1 as tf.Tensor4D, 2, "same")));
        const h2 = bn(tf.conv2d(h1, q.c2 as tf.Tensor4D, 1, "same"));
        const sc = tf.conv2d(h0, q.proj as tf.Tensor4D, 2, "valid");
        const h = tf.relu(h2.add(sc)).mean([1, 2]);
        const z = tf.fused.matMul({
          a: h,
          b: q.fc1 as tf.Tensor2D,
          bias: q.fc1b,
          activation: "relu",
        });
        const logits = tf.matMul(z, q.fc2);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], "int32"), 4);
        return tf.losses.softmaxCrossEntropy(labels, logits);
      };
      const { value, grads } = tf.valueAndGrads(loss)(names.map((n) => p[n]));
      return [value, ...grads];
    });
    close("residual step (loss, grads)", cpu, native, leaked);
  },
});
