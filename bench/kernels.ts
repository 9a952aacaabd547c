/**
 * `deno task bench kernels [--batch N] [--resnet18-batch N] [--only NAME]`: GFLOP/s of the
 * `wasm` backend's stock kernels against the project's (src/backend/wasm/) on the conv shapes
 * of the benchmark net and of ResNet-18 (CIFAR stem), and on the transposed matrix products of
 * dense-layer gradients and NT-Xent, all measured in the same run (best of several runs each).
 *
 * `deno task bench kernels --profile model|plain|bench [--side S] [--pairs N]`: instead, profiles
 * one training step (forward, NT-Xent, backward) on `wasm` with `tf.profile` and lists every
 * kernel it ran, with calls and time. `model` is the project's ResNet-50 with the imagenet stem
 * (src/model, custom BN gradient); `plain` is a ResNet-50-shaped net of stock ops
 * (tf.moments + tf.batchNorm), which shows what the stock BN gradient asks for; `bench` is the
 * project's benchmark net (use `--side 32 --pairs 64` for the benchmark's batch).
 */
import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { startBackend } from "../src/backend/start.ts";
import { hasStock, stock } from "../src/backend/wasm/stock.ts";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}
const only = (() => {
  const i = Deno.args.indexOf("--only");
  return i >= 0 ? Deno.args[i + 1] : "";
})();
const batch = arg("batch", 128);
const r18Batch = arg("resnet18-batch", 32);
const minSeconds = arg("seconds", 0.4);

await startBackend("wasm");
const backend = tf.backend() as BackendWasm;

const profileIndex = Deno.args.indexOf("--profile");
if (profileIndex >= 0) {
  await profileStep(Deno.args[profileIndex + 1] ?? "model", arg("side", 64), arg("pairs", 4));
  Deno.exit(0);
}

/** Profiles one ResNet-50 training step and prints its kernels by total time. */
async function profileStep(which: string, side: number, pairs: number): Promise<void> {
  const x = tf.randomNormal([2 * pairs, side, side, 3]) as tf.Tensor4D;
  let step: () => void;
  if (which === "plain") {
    const { plainLoss, plainParams } = await import("../test/backend/wasm/_plain_resnet.ts");
    const spec: import("../test/backend/wasm/_plain_resnet.ts").PlainResNetSpec = {
      stem: "imagenet",
      block: "bottleneck",
      stemWidth: 64,
      widths: [64, 128, 256, 512],
      inChannels: 3,
      headDim: 128,
    };
    const p = plainParams(spec);
    const names = [...p.keys()];
    step = () => {
      const g = tf.valueAndGrads((...ts: tf.Tensor[]) =>
        plainLoss(spec, new Map(names.map((n, i) => [n, ts[i]])), x)
      )(names.map((n) => p.get(n)!));
      tf.dispose([g.value, ...g.grads]);
    };
  } else {
    const { createModel } = await import("../src/model/simclr_model.ts");
    const { ntXentLoss } = await import("../src/train/nt_xent.ts");
    const model = createModel(
      which === "small" ? { encoder: "small" } : { encoder: "resnet50", stem: "imagenet" },
    );
    const vars = model.store.trainable().map((q) => q.variable);
    step = () => {
      const ctx = { training: true, updates: [] };
      const { value, grads } = tf.variableGrads(() => {
        const { z } = model.apply(x, ctx);
        const [z1, z2] = tf.split(z, 2, 0) as tf.Tensor2D[];
        const { loss, accuracy } = ntXentLoss(z1, z2, 0.5);
        accuracy.dispose();
        return loss;
      }, vars);
      tf.dispose([value, ...Object.values(grads)]);
      for (const u of ctx.updates as { mean: tf.Tensor; variance: tf.Tensor }[]) {
        tf.dispose([u.mean, u.variance]);
      }
    };
  }
  step(); // warm-up
  let cpu = Infinity, wallBest = Infinity;
  for (let i = 0; i < 2; i++) {
    const c0 = process.cpuUsage(), w0 = performance.now();
    step();
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    wallBest = Math.min(wallBest, performance.now() - w0);
  }
  const t0 = performance.now();
  const info = await tf.profile(step);
  const wall = performance.now() - t0;
  const byName = new Map<string, { calls: number; ms: number; shapes: string }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0, shapes: "" };
    e.calls++;
    e.ms += await k.kernelTimeMs as number;
    if (!e.shapes) e.shapes = k.inputShapes.map((sh) => `[${sh}]`).join(" ");
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((a, e) => a + e.ms, 0);
  console.log(
    `${
      which === "small" ? "small (benchmark) net" : `ResNet-50 (${which})`
    } training step on wasm: ${2 * pairs} views of ${side}x${side}x3; ` +
      `kernel time ${total.toFixed(0)} ms, profiled wall ${wall.toFixed(0)} ms; unprofiled step ` +
      `${cpu.toFixed(0)} ms CPU, ${wallBest.toFixed(0)} ms wall (${
        (2 * pairs / (cpu / 1000)).toFixed(1)
      } views/s by CPU time; no optimizer)`,
  );
  console.log(
    "('forward' is tf.customGrad's wrapper around the custom batch norm: its time includes " +
      "the kernels it ran, which are listed too)",
  );
  console.log(["kernel", "calls", "ms", "%", "project kernel", "first input shapes"].join("\t"));
  const { wasmKernelConfigs } = await import("../src/backend/wasm/register.ts");
  const ours = new Set(wasmKernelConfigs.map((k) => k.kernelName));
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log([
      name,
      e.calls,
      e.ms.toFixed(1),
      (100 * e.ms / total).toFixed(1),
      ours.has(name) ? "yes" : "",
      e.shapes,
    ].join("\t"));
  }
}

/**
 * Seconds a call took: the smaller of this process's CPU time (user + system) and wall time.
 * The machine's 2 cores are shared with other jobs (wall time then counts them) and V8 runs
 * GC/compiler threads (CPU time then counts them); the kernels run on one thread, so the
 * smaller figure is the closer one. `--wall` uses wall-clock time only.
 */
const wallOnly = Deno.args.includes("--wall");
function stamp(): [number, number] {
  const u = process.cpuUsage();
  return [(u.user + u.system) / 1e6, performance.now() / 1000];
}
function since([c0, w0]: [number, number]): number {
  const [c1, w1] = stamp();
  return wallOnly ? w1 - w0 : Math.min(c1 - c0, w1 - w0);
}

/** Best seconds per call of `run` (which returns a tensor info to free). */
async function time(run: () => tf.TensorInfo, prepare?: () => void): Promise<number> {
  // Let V8's background GC finish with the inputs just made (it would count as our CPU time
  // and compete for the 2 cores).
  await new Promise((r) => setTimeout(r, 50));
  prepare?.();
  backend.disposeData(run().dataId); // warm-up: XNNPACK operator creation, heap growth
  let best = Infinity, total = 0, reps = 0;
  while (reps < 2 || (total < minSeconds && reps < 50)) {
    prepare?.(); // untimed
    const t0 = stamp();
    const out = run();
    const dt = since(t0);
    backend.disposeData(out.dataId);
    best = Math.min(best, dt);
    total += dt;
    reps++;
  }
  return best;
}

function project(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
  const k = tf.getKernel(name, "wasm")!;
  return () => k.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
}

function stockRun(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
  return hasStock(name) ? () => stock(backend, name, inputs as never, attrs) : null;
}

const rows: string[][] = [];
function report(label: string, op: string, flops: number, stockS: number | null, projS: number) {
  const g = (s: number) => (flops / s / 1e9).toFixed(1);
  const row = [
    label,
    op,
    (flops / 1e9).toFixed(2),
    stockS === null ? "missing" : g(stockS),
    g(projS),
    stockS === null ? "" : `${(stockS / projS).toFixed(1)}x`,
    (projS * 1000).toFixed(1),
  ];
  rows.push(row);
  console.log(row.join("\t"));
}

interface Conv {
  net: string;
  n: number;
  h: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  noInputGrad?: boolean;
}
const convs: Conv[] = [
  { net: "small", n: batch, h: 32, ci: 3, co: 32, k: 3, s: 1, noInputGrad: true },
  { net: "small", n: batch, h: 32, ci: 32, co: 32, k: 3, s: 1 },
  { net: "small", n: batch, h: 32, ci: 32, co: 64, k: 3, s: 2 },
  { net: "small", n: batch, h: 16, ci: 64, co: 64, k: 3, s: 1 },
  { net: "small", n: batch, h: 16, ci: 64, co: 128, k: 3, s: 2 },
  { net: "small", n: batch, h: 8, ci: 128, co: 128, k: 3, s: 1 },
  { net: "r18", n: r18Batch, h: 32, ci: 3, co: 64, k: 3, s: 1, noInputGrad: true },
  { net: "r18", n: r18Batch, h: 32, ci: 64, co: 64, k: 3, s: 1 },
  { net: "r18", n: r18Batch, h: 32, ci: 64, co: 128, k: 3, s: 2 },
  { net: "r18", n: r18Batch, h: 32, ci: 64, co: 128, k: 1, s: 2 },
  { net: "r18", n: r18Batch, h: 16, ci: 128, co: 128, k: 3, s: 1 },
  { net: "r18", n: r18Batch, h: 16, ci: 128, co: 256, k: 3, s: 2 },
  { net: "r18", n: r18Batch, h: 8, ci: 256, co: 256, k: 3, s: 1 },
  { net: "r18", n: r18Batch, h: 8, ci: 256, co: 512, k: 3, s: 2 },
  { net: "r18", n: r18Batch, h: 4, ci: 512, co: 512, k: 3, s: 1 },
  { net: "r50", n: 8, h: 224, ci: 3, co: 64, k: 7, s: 2, noInputGrad: true },
  { net: "r50", n: 32, h: 8, ci: 256, co: 1024, k: 1, s: 1 },
  { net: "r50", n: 8, h: 2, ci: 512, co: 2048, k: 1, s: 1 },
];

console.log(
  `wasm backend, batch ${batch} ` +
    `(small net), ${r18Batch} (resnet18-cifar); best of runs >= ${minSeconds}s; ` +
    (wallOnly ? "wall-clock time" : "min(process CPU time, wall time) per run (--wall: wall)"),
);
console.log(
  ["case", "op", "GFLOP", "stock GFLOP/s", "project GFLOP/s", "speed-up", "ms"].join("\t"),
);

for (const c of convs) {
  const label = `${c.net} ${c.n}x${c.h}x${c.h}x${c.ci}->${c.co} ${c.k}x${c.k}/${c.s}`;
  if (only && !label.includes(only)) continue;
  const ho = Math.ceil(c.h / c.s);
  const flops = 2 * c.n * ho * ho * c.co * c.ci * c.k * c.k;
  const x = tf.randomNormal([c.n, c.h, c.h, c.ci]);
  const w = tf.randomNormal([c.k, c.k, c.ci, c.co]);
  const dy = tf.randomNormal([c.n, ho, ho, c.co]);
  const attrs = { strides: [c.s, c.s], pad: "same", dataFormat: "NHWC", dilations: [1, 1] };
  // Forward with a fresh filter each call, as in training (weights change every step and
  // XNNPACK repacks them), and with a cached one (inference).
  const fwdInputs: tf.NamedTensorInfoMap = { x, filter: w };
  const freshW = () => {
    if (fwdInputs.filter !== w) tf.dispose(fwdInputs.filter as tf.Tensor);
    fwdInputs.filter = tf.add(w, 0);
  };
  report(
    label,
    "forward (fresh W)",
    flops,
    await time(stockRun(tf.Conv2D, fwdInputs, attrs)!, freshW),
    await time(project(tf.Conv2D, fwdInputs, attrs), freshW),
  );
  tf.dispose(fwdInputs.filter as tf.Tensor);
  report(
    label,
    "forward (cached W)",
    flops,
    await time(stockRun(tf.Conv2D, { x, filter: w }, attrs)!),
    await time(project(tf.Conv2D, { x, filter: w }, attrs)),
  );
  if (!c.noInputGrad) {
    const a = { ...attrs, inputShape: x.shape };
    const s = stockRun(tf.Conv2DBackpropInput, { dy, filter: w }, a);
    report(
      label,
      "backprop-input",
      flops,
      s ? await time(s) : null,
      await time(project(tf.Conv2DBackpropInput, { dy, filter: w }, a)),
    );
  }
  const a = { ...attrs, filterShape: w.shape };
  const s = stockRun(tf.Conv2DBackpropFilter, { x, dy }, a);
  report(
    label,
    "backprop-filter",
    flops,
    s ? await time(s) : null,
    await time(project(tf.Conv2DBackpropFilter, { x, dy }, a)),
  );
  tf.dispose([x, w, dy]);
}

interface MatMul {
  label: string;
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
}
const mms: MatMul[] = [];
for (
  const [name, b, i, o] of [["bench head", batch, 128, 128], ["r50 head", 256, 2048, 2048]] as const
) {
  mms.push({ label: `${name} fwd x.W`, m: b, k: i, n: o, ta: false, tb: false });
  mms.push({ label: `${name} dx = dy.W^T`, m: b, k: o, n: i, ta: false, tb: true });
  mms.push({ label: `${name} dW = x^T.dy`, m: i, k: b, n: o, ta: true, tb: false });
}
mms.push({ label: "bn sums ones.X", m: 1, k: batch * 32 * 32, n: 32, ta: false, tb: false });
mms.push({ label: "bn sums ones.X", m: 1, k: batch * 8 * 8, n: 128, ta: false, tb: false });
mms.push({ label: `nt-xent ${2 * 128} sim z.z^T`, m: 256, k: 128, n: 256, ta: false, tb: true });
for (const mm of mms) {
  if (only && !mm.label.includes(only)) continue;
  const a = tf.randomNormal(mm.ta ? [mm.k, mm.m] : [mm.m, mm.k]);
  const b = tf.randomNormal(mm.tb ? [mm.n, mm.k] : [mm.k, mm.n]);
  const attrs = { transposeA: mm.ta, transposeB: mm.tb };
  const flops = 2 * mm.m * mm.k * mm.n;
  // A fresh right operand each call, as in training (XNNPACK caches its packing per tensor).
  const inputs: tf.NamedTensorInfoMap = { a, b };
  const fresh = () => {
    if (inputs.b !== b) tf.dispose(inputs.b as tf.Tensor);
    inputs.b = tf.add(b, 0);
  };
  const s = stockRun(tf.BatchMatMul, inputs, attrs)!;
  const op = `matmul${mm.ta ? " tA" : ""}${mm.tb ? " tB" : ""}`;
  report(
    `${mm.label} ${mm.m}x${mm.k}x${mm.n}`,
    op,
    flops,
    await time(s, fresh),
    await time(project(tf.BatchMatMul, inputs, attrs), fresh),
  );
  if (inputs.b !== b) tf.dispose(inputs.b as tf.Tensor);
  tf.dispose([a, b]);
}

// Memory-bound kernels of the stock batch-norm gradient: milliseconds, stock vs project.
const memOps: [string, string, () => tf.NamedTensorInfoMap, tf.NamedAttrMap][] = [
  ["tile [1,1,1,32] -> [128,32,32,32]", tf.Tile, () => ({ x: tf.randomNormal([1, 1, 1, 32]) }), {
    reps: [batch, 32, 32, 1],
  }],
  ["sum [128,32,32,32] over 0,1,2", tf.Sum, () => ({ x: tf.randomNormal([batch, 32, 32, 32]) }), {
    axis: [0, 1, 2],
    keepDims: false,
  }],
  ["mean [128,8,8,128] over 0,1,2", tf.Mean, () => ({ x: tf.randomNormal([batch, 8, 8, 128]) }), {
    axis: [0, 1, 2],
    keepDims: true,
  }],
  [
    "avg-pool grad [128,8,8,128] global",
    tf.AvgPoolGrad,
    () => ({ dy: tf.randomNormal([batch, 1, 1, 128]), input: tf.randomNormal([batch, 8, 8, 128]) }),
    { filterSize: [8, 8], strides: [8, 8], pad: "valid" },
  ],
  [
    "max-pool grad [32,112,112,64] 3x3/2",
    tf.MaxPoolGrad,
    () => {
      const input = tf.randomNormal([r18Batch, 112, 112, 64]);
      const output = tf.maxPool(input as tf.Tensor4D, 3, 2, "same");
      return { dy: tf.randomNormal(output.shape), input, output };
    },
    { filterSize: [3, 3], strides: [2, 2], pad: "same" },
  ],
];
console.log(["memory-bound kernel", "", "", "stock ms", "project ms", "speed-up"].join("\t"));
for (const [label, name, make, attrs] of memOps) {
  if (only && !label.includes(only)) continue;
  const inputs = make();
  const s = stockRun(name, inputs, attrs);
  const st = s ? await time(s) : null;
  const pt = await time(project(name, inputs, attrs));
  console.log([
    label,
    name,
    "",
    st === null ? "missing" : (st * 1000).toFixed(1),
    (pt * 1000).toFixed(1),
    st === null ? "" : `${(st / pt).toFixed(1)}x`,
  ].join("\t"));
  tf.dispose(Object.values(inputs) as tf.Tensor[]);
}
