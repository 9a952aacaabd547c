/**
 * `deno task bench native [--nets small,resnet18] [--steps N] [--rounds R] [--profile]
 * [--native-bn] [--gemm] [--layers]`:
 * training-step throughput (views/s, 128 views per step by default) of the benchmark net and
 * ResNet-18 (CIFAR stem) on `wasm` (the project's pure-wasm kernels) and `native` (wasm plus
 * oneDNN kernels through FFI) with 1 and 2 threads, measured in the same run and interleaved
 * round by round (the machine is shared: compare ratios, not absolute figures). With
 * `--profile`, prints the kernel-time profile of one native step per net (the last native
 * 1-thread row's). With `--native-bn`, adds rows where the model's batch norms run as oneDNN's
 * one-pass forward/backward (`nativeBatchNorm`, which the model uses whenever its kernels are
 * enabled); the other native rows switch those two kernels off.
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { loadNativeProvider } from "../src/backend/native/load.ts";
import { startWasm } from "../src/backend/wasm_start.ts";
import { createModel, type SimCLRModel } from "../src/model/simclr_model.ts";
import type { Batch } from "../src/train/batch.ts";
import { computeStepGradients } from "../src/train/_step_objective.ts";
import { disposeStepGradients } from "../src/train/step_gradients.ts";
import { MomentumSgd } from "../src/train/sgd.ts";
import { syntheticBatch } from "./_batch.ts";

const { values: args } = parseArgs({
  args: Deno.args.slice(Deno.args[0] === "native" ? 1 : 0),
  options: {
    nets: { type: "string", default: "small,resnet18" },
    pairs: { type: "string", default: "64" },
    steps: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    threads: { type: "string", default: "1,2" },
    profile: { type: "boolean", default: false },
    "no-wasm": { type: "boolean", default: false },
    "native-bn": { type: "boolean", default: false },
    gemm: { type: "boolean", default: false },
    layers: { type: "boolean", default: false },
  },
});
const pairs = Number(args.pairs);
const steps = Number(args.steps);
const rounds = Number(args.rounds);

if (args.gemm || args.layers) {
  await kernelBench();
  Deno.exit(0);
}

/**
 * `--gemm`: OpenBLAS vs oneDNN sgemm GFLOP/s (the products both libraries offer: this chose
 * oneDNN); `--layers`: oneDNN convolution GFLOP/s per direction on the nets' layer shapes.
 * Threads from `--threads` (each value in turn).
 */
async function kernelBench() {
  const { openLibraries } = await import("../src/backend/native/ffi.ts");
  const { blasGemm, dnnlGemm } = await import("../src/backend/native/gemm.ts");
  const { DnnlContext } = await import("../src/backend/native/dnnl.ts");
  const { ConvPlan } = await import("../src/backend/native/conv.ts");
  const libs = openLibraries();
  const ptr = (a: Float32Array) => Deno.UnsafePointer.of(a as Float32Array<ArrayBuffer>);
  const time = (f: () => void) => {
    f();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 250) {
      f();
      n++;
    }
    return (performance.now() - t0) / n;
  };
  for (const t of threadCounts()) {
    libs.omp?.omp_set_num_threads(t);
    libs.blas?.openblas_set_num_threads(t);
    if (args.gemm) {
      console.log(`\nsgemm GFLOP/s, ${t} thread(s): M x N x K, transposes: OpenBLAS | oneDNN`);
      const gemms = [libs.blas && blasGemm(libs.blas), libs.dnnl && dnnlGemm(libs.dnnl)];
      for (
        const [m, n, k] of [
          [128, 512, 128],
          [256, 256, 128],
          [131072, 32, 288],
          [32768, 64, 576],
          [8192, 128, 1152],
          [288, 32, 131072],
        ]
      ) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
          const a = new Float32Array(m * k).fill(0.5), b = new Float32Array(k * n).fill(0.25);
          const c = new Float32Array(m * n);
          const cells = gemms.map((g) => {
            if (!g) return "-".padStart(6);
            const ms = time(() =>
              g.sgemm(ta, tb, m, n, k, 1, ptr(a), ta ? m : k, ptr(b), tb ? k : n, 0, ptr(c), n)
            );
            return (2 * m * n * k / ms / 1e6).toFixed(1).padStart(6);
          });
          console.log(
            `  ${`${m}x${n}x${k}`.padEnd(16)} ${ta ? "T" : "N"}${tb ? "T" : "N"} ${
              cells.join(" | ")
            }`,
          );
        }
      }
    }
    if (args.layers && libs.dnnl) {
      const ctx = new DnnlContext(libs.dnnl);
      ctx.threads = t;
      console.log(
        `\noneDNN convolution GFLOP/s, ${
          2 * pairs
        } views, ${t} thread(s): fwd | bwd-data | bwd-weights`,
      );
      // [H, C, O, K, stride]: the benchmark net's and ResNet-18 (CIFAR)'s layers.
      for (
        const [h, c, o, k, st] of [
          [32, 3, 32, 3, 1],
          [32, 32, 32, 3, 1],
          [32, 32, 64, 3, 2],
          [16, 64, 64, 3, 1],
          [16, 64, 128, 3, 2],
          [8, 128, 128, 3, 1],
          [32, 64, 64, 3, 1],
          [32, 64, 128, 3, 2],
          [32, 64, 128, 1, 2],
          [16, 128, 256, 3, 2],
          [8, 256, 256, 3, 1],
          [8, 256, 512, 3, 2],
          [4, 512, 512, 3, 1],
        ]
      ) {
        const pad = k === 3 ? 1 : 0, oh = Math.floor((h + 2 * pad - k) / st) + 1;
        const n = 2 * pairs;
        const g = {
          batch: n,
          inH: h,
          inW: h,
          inC: c,
          outH: oh,
          outW: oh,
          outC: o,
          kH: k,
          kW: k,
          strideH: st,
          strideW: st,
          dilationH: 1,
          dilationW: 1,
          padTop: pad,
          padLeft: pad,
        };
        const x = new Float32Array(n * h * h * c).fill(0.1), w = new Float32Array(k * k * c * o);
        const y = new Float32Array(n * oh * oh * o).fill(0.1);
        const flops = 2 * n * oh * oh * o * k * k * c;
        const cells = (["forward", "backwardData", "backwardWeights"] as const).map((kind) => {
          const plan = new ConvPlan(ctx, kind, g, false, []);
          return (flops / time(() => plan.run(ptr(x), ptr(w), ptr(y))) / 1e6).toFixed(0).padStart(
            5,
          );
        });
        console.log(`  ${`${h}x${h}x${c} -> ${o} k${k} s${st}`.padEnd(24)} ${cells.join(" | ")}`);
      }
    }
  }
}

function threadCounts(): number[] {
  return args.threads.split(",").map(Number).filter((t) => t > 0);
}

await startWasm();
const provider = await loadNativeProvider({ threads: 1 });
provider.register();
await tf.setBackend("wasm");
console.log(`native: ${provider.device}; kernels: ${provider.kernels?.join(", ")}`);

/**
 * One SimCLR training step as bench/step.ts takes it (computeStepGradients: forward, NT-Xent,
 * backward; then momentum SGD and the loss read back); returns the loss.
 */
function makeStep(model: SimCLRModel, views: Float32Array): () => Promise<number> {
  const params = model.store.trainable();
  const opt = new MomentumSgd({ momentum: 0.9, weightDecay: 1e-6 });
  const batch: Batch = syntheticBatch(views, pairs);
  return async () => {
    const g = computeStepGradients(model, batch, { temperature: 0.5 });
    opt.apply(params, g.grads, 0.1);
    const loss = (await g.loss.data())[0];
    disposeStepGradients(g);
    return loss;
  };
}

interface Config {
  label: string;
  native: boolean;
  threads: number;
  bn?: boolean;
}
const configs: Config[] = [];
if (!args["no-wasm"]) configs.push({ label: "wasm", native: false, threads: 1 });
for (const t of threadCounts()) {
  configs.push({ label: `native ${t} thread${t > 1 ? "s" : ""}`, native: true, threads: t });
}
if (args["native-bn"]) {
  for (const t of threadCounts()) {
    configs.push({
      label: `native+BN ${t} thread${t > 1 ? "s" : ""}`,
      native: true,
      threads: t,
      bn: true,
    });
  }
}

const replacing = (provider.kernels ?? []).filter((k) => !k.startsWith("NativeBatchNorm"));
function use(c: Config) {
  provider.setEnabled!(c.native ? (c.bn ? true : replacing) : false);
  provider.setThreads!(c.threads);
}

const views = new Float32Array(2 * pairs * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.37));
for (const net of args.nets.split(",")) {
  const model = createModel(
    net === "small" ? { encoder: "small" } : { encoder: net as "resnet18", stem: "cifar" },
  );
  const step = makeStep(model, views);
  const best = new Map<string, number>();
  for (const c of configs) {
    use(c);
    await step(); // warm-up: primitives are created on first use
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      use(c);
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await step();
      const rate = (steps * 2 * pairs) / ((performance.now() - t0) / 1000);
      best.set(c.label, Math.max(best.get(c.label) ?? 0, rate));
    }
  }
  const base = best.get("wasm");
  console.log(`\n${net} (${2 * pairs} views per step, best of ${rounds} x ${steps} steps)`);
  for (const c of configs) {
    const v = best.get(c.label)!;
    const ratio = base && c.native ? `  x${(v / base).toFixed(2)} vs wasm` : "";
    console.log(`  ${c.label.padEnd(18)} ${v.toFixed(1).padStart(7)} views/s${ratio}`);
  }
  if (args.profile) {
    use(
      configs.findLast((c) => c.native && c.threads === 1) ?? configs[configs.length - 1],
    );
    const t0 = performance.now();
    const info = await tf.profile(() => step());
    const wall = performance.now() - t0;
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) {
      // Custom-gradient wrappers ("forward") contain kernels that are listed themselves.
      if (!tf.getKernel(k.name, "wasm")) continue;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    }
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    byKernel.set("(outside kernels)", Math.max(0, wall - total));
    console.log(`  profile, native 1 thread, one profiled step (${wall.toFixed(0)} ms):`);
    for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(
        `    ${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms ${
          (100 * ms / wall).toFixed(1).padStart(5)
        }%`,
      );
    }
  }
  model.dispose();
}
