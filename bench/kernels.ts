/**
 * `deno task bench kernels [--batch N] [--resnet18-batch N] [--only NAME]`: GFLOP/s of the
 * `wasm` backend's stock kernels against the project's (src/backend/wasm/) on the conv shapes
 * of the benchmark net and of ResNet-18 (CIFAR stem), and on the transposed matrix products of
 * dense-layer gradients and NT-Xent, all measured in the same run (best of several runs each).
 */
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

/** Best seconds per call of `run` (which returns a tensor info to free). */
function time(run: () => tf.TensorInfo): number {
  backend.disposeData(run().dataId); // warm-up: XNNPACK operator creation, heap growth
  let best = Infinity, total = 0, reps = 0;
  while (reps < 2 || (total < minSeconds && reps < 50)) {
    const t0 = performance.now();
    const out = run();
    const dt = (performance.now() - t0) / 1000;
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
  { net: "bench", n: batch, h: 32, ci: 3, co: 32, k: 3, s: 1, noInputGrad: true },
  { net: "bench", n: batch, h: 32, ci: 32, co: 32, k: 3, s: 1 },
  { net: "bench", n: batch, h: 32, ci: 32, co: 64, k: 3, s: 2 },
  { net: "bench", n: batch, h: 16, ci: 64, co: 64, k: 3, s: 1 },
  { net: "bench", n: batch, h: 16, ci: 64, co: 128, k: 3, s: 2 },
  { net: "bench", n: batch, h: 8, ci: 128, co: 128, k: 3, s: 1 },
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
];

console.log(
  `wasm backend, batch ${batch} ` +
    `(bench net), ${r18Batch} (resnet18-cifar); best of runs >= ${minSeconds}s`,
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
  const fwd = time(project(tf.Conv2D, { x, filter: w }, attrs));
  report(label, "forward", flops, null, fwd);
  if (!c.noInputGrad) {
    const a = { ...attrs, inputShape: x.shape };
    const s = stockRun(tf.Conv2DBackpropInput, { dy, filter: w }, a);
    report(
      label,
      "backprop-input",
      flops,
      s ? time(s) : null,
      time(project(tf.Conv2DBackpropInput, { dy, filter: w }, a)),
    );
  }
  const a = { ...attrs, filterShape: w.shape };
  const s = stockRun(tf.Conv2DBackpropFilter, { x, dy }, a);
  report(
    label,
    "backprop-filter",
    flops,
    s ? time(s) : null,
    time(project(tf.Conv2DBackpropFilter, { x, dy }, a)),
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
mms.push({ label: `nt-xent ${2 * 128} sim z.z^T`, m: 256, k: 128, n: 256, ta: false, tb: true });
for (const mm of mms) {
  if (only && !mm.label.includes(only)) continue;
  const a = tf.randomNormal(mm.ta ? [mm.k, mm.m] : [mm.m, mm.k]);
  const b = tf.randomNormal(mm.tb ? [mm.n, mm.k] : [mm.k, mm.n]);
  const attrs = { transposeA: mm.ta, transposeB: mm.tb };
  const flops = 2 * mm.m * mm.k * mm.n;
  const s = stockRun(tf.BatchMatMul, { a, b }, attrs)!;
  const op = `matmul${mm.ta ? " tA" : ""}${mm.tb ? " tB" : ""}`;
  report(
    `${mm.label} ${mm.m}x${mm.k}x${mm.n}`,
    op,
    flops,
    time(s),
    time(project(tf.BatchMatMul, { a, b }, attrs)),
  );
  tf.dispose([a, b]);
}
