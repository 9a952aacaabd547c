/**
 * The project's `webgpu` convolution kernels (`Conv2D`, `Conv2DBackpropInput`,
 * `Conv2DBackpropFilter`: implicit GEMMs, split-K for the filter gradient, parity classes for
 * strided input gradients) against the `cpu` backend on random inputs, over the shapes the
 * ResNet-18/50 layers have, made small: the 3x3 CIFAR stem and the 7x7/2 ImageNet stem on
 * 3 channels, 3x3 at strides 1 and 2, 1x1 at strides 1 and 2 (bottlenecks, downsampling),
 * odd spatial sizes, channel counts that are not multiples of 4, batch 1, a 5x5 filter: all
 * of them with small tiles (ragged edges everywhere), then again as a software adapter runs
 * them (filters wider than their stride, output channels in vec4s, by row segments,
 * src/backend/webgpu/row_conv.ts: the forward and filter gradient at any stride, with input
 * channels by vec4s or one at a time, the input gradient at stride 1), some with the
 * tiles of both tunings (the software
 * adapter's 16x8 blocks per thread and a GPU's 4x4 blocks, so the shaders a GPU would compile
 * are checked here too); and the split-K path with several slices, ragged or not, and the
 * dispatch fold for row-tile counts past the per-axis limit; and contractions longer than a
 * software adapter's loop limit (llvmpipe silently stops a shader's loops after 65535
 * iterations in all): the filter gradients of 128-view 32x32 layers (K = 115200 and 131072)
 * with the real limit, and several kernels with a lowered one.
 *
 * Tolerance 1e-4: max |webgpu - cpu| / max |cpu| per output. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";
import { randoms, relError } from "./wasm/_compare.ts";
import {
  setDispatchLimit,
  setGemmTile,
  setLoopLimit,
  setSoftwareAdapter,
  setTargetWorkgroups,
} from "../../src/backend/webgpu/tuning.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu conv kernel tests skipped: ${skip}`);

const TOL = 1e-4;

/** One convolution: batch, input side (square unless `w`), channels, kernel, stride, padding. */
interface Shape {
  n: number;
  h: number;
  w?: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  p: number;
}

const SHAPES: Shape[] = [
  { n: 2, h: 9, ci: 3, co: 8, k: 3, s: 1, p: 1 }, // CIFAR stem, odd side
  { n: 1, h: 15, ci: 3, co: 8, k: 7, s: 2, p: 3 }, // ImageNet stem, odd side, batch 1
  { n: 1, h: 16, ci: 3, co: 4, k: 7, s: 2, p: 3 }, // ImageNet stem, even side
  { n: 2, h: 8, ci: 12, co: 12, k: 3, s: 1, p: 1 }, // basic block conv
  { n: 2, h: 9, ci: 8, co: 16, k: 3, s: 2, p: 1 }, // first conv of a stage, odd side
  { n: 2, h: 8, ci: 8, co: 16, k: 3, s: 2, p: 1 }, // the same, even side
  { n: 2, h: 9, ci: 8, co: 16, k: 1, s: 2, p: 0 }, // downsample shortcut, odd side
  { n: 2, h: 8, w: 6, ci: 16, co: 32, k: 1, s: 2, p: 0 }, // downsample, even, not square
  { n: 2, h: 5, ci: 16, co: 8, k: 1, s: 1, p: 0 }, // bottleneck 1x1 reduce
  { n: 1, h: 5, ci: 8, co: 32, k: 1, s: 1, p: 0 }, // bottleneck 1x1 expand, batch 1
  { n: 2, h: 7, ci: 6, co: 10, k: 3, s: 1, p: 1 }, // channels not multiples of 4
  { n: 2, h: 7, w: 9, ci: 5, co: 7, k: 3, s: 2, p: 1 }, // ... strided, not square
  { n: 3, h: 4, ci: 3, co: 5, k: 1, s: 1, p: 0 }, // ... 1x1
  { n: 2, h: 6, ci: 4, co: 4, k: 3, s: 1, p: 0 }, // valid padding
  { n: 1, h: 4, w: 64, ci: 4, co: 8, k: 3, s: 1, p: 1 }, // row segments of 32, two per row
  { n: 1, h: 6, w: 10, ci: 4, co: 4, k: 5, s: 1, p: 2 }, // 5x5, same padding
];

type Kernel = "Conv2D" | "Conv2DBackpropInput" | "Conv2DBackpropFilter";
const KERNELS: Kernel[] = ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"];

/** Runs `kernel` for `shape` on the active backend, from seeded inputs; returns its values. */
async function runKernel(kernel: Kernel, c: Shape): Promise<Float32Array> {
  const w = c.w ?? c.h;
  const oh = Math.floor((c.h + 2 * c.p - c.k) / c.s) + 1;
  const ow = Math.floor((w + 2 * c.p - c.k) / c.s) + 1;
  const xShape: [number, number, number, number] = [c.n, c.h, w, c.ci];
  const fShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  const dyShape: [number, number, number, number] = [c.n, oh, ow, c.co];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const common = {
    strides: [c.s, c.s],
    pad: c.p === 0 ? "valid" : c.p,
    dataFormat: "NHWC",
    dilations: [1, 1],
  };
  const x = tf.tensor4d(randoms(size(xShape), 1), xShape);
  const f = tf.tensor4d(randoms(size(fShape), 2), fShape);
  const dy = tf.tensor4d(randoms(size(dyShape), 3), dyShape);
  const e = tf.engine();
  const out = kernel === "Conv2D"
    ? e.runKernel(kernel, { x, filter: f }, common as unknown as tf.NamedAttrMap)
    : kernel === "Conv2DBackpropInput"
    ? e.runKernel(kernel, { dy, filter: f }, {
      ...common,
      inputShape: xShape,
    } as unknown as tf.NamedAttrMap)
    : e.runKernel(kernel, { x, dy }, {
      ...common,
      filterShape: fShape,
    } as unknown as tf.NamedAttrMap);
  const t = out as tf.Tensor;
  const values = new Float32Array(await t.data());
  tf.dispose([x, f, dy, t]);
  return values;
}

async function reference(cases: Shape[]): Promise<Map<string, Float32Array>> {
  await startBackend("cpu");
  const want = new Map<string, Float32Array>();
  for (const c of cases) {
    for (const k of KERNELS) want.set(`${k} ${JSON.stringify(c)}`, await runKernel(k, c));
  }
  return want;
}

async function check(cases: Shape[], want: Map<string, Float32Array>, label: string) {
  let worst = 0;
  for (const c of cases) {
    for (const k of KERNELS) {
      const name = `${k} ${JSON.stringify(c)}`;
      const e = relError(await runKernel(k, c), want.get(name)!);
      assert.ok(e <= TOL, `${label}: ${name}: relative error ${e} > ${TOL}`);
      worst = Math.max(worst, e);
    }
  }
  console.log(`  ${label}: ${cases.length} shapes x 3 kernels, max relative error ${worst}`);
}

Deno.test({
  name: "webgpu conv kernels match cpu on ResNet layer shapes (software and GPU tunings)",
  ignore: Boolean(skip),
  async fn() {
    const want = await reference(SHAPES);
    try {
      await startBackend("webgpu");
      // Every shape with a small tile (quick to compile on llvmpipe; ragged edges everywhere),
      // then the tiles the two tunings use on the shapes whose index math differs most.
      setGemmTile({ bm: 16, bn: 16, bk: 8, tm: 4, tn: 4 });
      setSoftwareAdapter(false);
      await check(SHAPES, want, "16x16x8 tiles");
      // Software adapters: stride-1 same-padded layers (forward and input gradient) by row
      // segments, with every segment length and channel block the shapes give.
      setSoftwareAdapter(true);
      await check(SHAPES, want, "16x16x8 tiles, row convolutions where they fit");
      setGemmTile(undefined);
      const some = [1, 4, 7, 11].map((i) => SHAPES[i]);
      setSoftwareAdapter(true);
      await check(some, want, "software tuning");
      setSoftwareAdapter(false);
      await check(some, want, "GPU tuning");
    } finally {
      setGemmTile(undefined);
      await startBackend("cpu");
    }
  },
});

Deno.test({
  name: "webgpu conv kernels: split-K with several (ragged) slices, and folded dispatches",
  ignore: Boolean(skip),
  async fn() {
    // K = 4*25*25 = 2500 = two ragged slices of 1280; 4*24*24 = 2304: two exact ones.
    const cases: Shape[] = [
      { n: 4, h: 25, ci: 8, co: 8, k: 3, s: 1, p: 1 },
      { n: 4, h: 24, ci: 5, co: 6, k: 3, s: 1, p: 1 },
    ];
    const want = await reference(cases);
    try {
      await startBackend("webgpu");
      setTargetWorkgroups(64);
      await check(cases, want, "split-K");
      setDispatchLimit(3);
      await check(cases.slice(0, 1), want, "dispatch limit 3 workgroups per axis");
    } finally {
      setDispatchLimit(65535);
      await startBackend("cpu");
    }
  },
});

Deno.test({
  name: "webgpu conv kernels: contractions past a software adapter's loop limit are split",
  ignore: Boolean(skip),
  async fn() {
    // The filter gradient contracts over batch*outH*outW: 128*30*30 = 115200 (3 output
    // channels: the GEMM) and 128*32*32 = 131072 (row convolutions on software adapters, with
    // 3 input channels as a stem has and with 4). One invocation looping over any of them
    // would pass llvmpipe's 65535 loop iterations and stop early (the stock kernel does).
    const long: Shape[] = [
      { n: 128, h: 32, ci: 4, co: 3, k: 3, s: 1, p: 0 },
      { n: 128, h: 32, ci: 3, co: 8, k: 3, s: 1, p: 1 },
      { n: 128, h: 32, ci: 4, co: 4, k: 3, s: 1, p: 1 },
    ];
    const lowered: Shape[] = [
      { n: 4, h: 25, ci: 8, co: 8, k: 3, s: 1, p: 1 },
      { n: 2, h: 9, ci: 3, co: 8, k: 3, s: 1, p: 1 },
    ];
    const want = await reference([...long, ...lowered]);
    try {
      await startBackend("webgpu");
      setSoftwareAdapter(true);
      setTargetWorkgroups(2);
      await check(long, want, "K > 65535, software tuning");
      // Small tiles keep the forward and input-gradient contractions (which are not split)
      // within 100 iterations; the filter gradient must split to stay there.
      setGemmTile({ bm: 16, bn: 16, bk: 8, tm: 4, tn: 4 });
      setLoopLimit(100);
      await check(lowered, want, "loop limit lowered to 100, row convolutions");
      setSoftwareAdapter(false);
      await check(lowered, want, "loop limit lowered to 100, GEMMs");
    } finally {
      setLoopLimit(65000);
      setGemmTile(undefined);
      await startBackend("cpu");
    }
  },
});
