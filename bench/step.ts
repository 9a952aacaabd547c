/**
 * `deno task bench step [--backend all|NAME[,NAME]] [--model all|small|resnet18] [--steps N]
 * [--warmup N] [--pairs N] [--micro-pairs N] [--native-threads 1,2]
 * [--webgpu-kernels project[,stock]] [--profile]`: training-step
 * throughput (images per second, counting both views) of one full SimCLR step (forward, NT-Xent,
 * backward, momentum SGD, loss read back) on every backend that starts here:
 *
 * - `small`: the design's benchmark net (3x3 stem 32 ch; stages of two 3x3 convs, widths 32,
 *   64, 128, strides 1, 2, 2; BN + ReLU; global average pool; linear 128-d head), 32x32x3,
 *   64 pairs (128 views) per step;
 * - `resnet18`: ResNet-18 with the CIFAR stem, 32x32x3, 256 pairs (512 views) per step, 2-layer
 *   head. On `wasm`/`native`, whose 4 GiB wasm heap cannot hold a 512-view step (an allocation
 *   failure aborts the wasm module for the whole process), the step is accumulated from
 *   micro-batches of `--micro-pairs` (default 128): same optimizer batch and FLOPs, NT-Xent
 *   negatives per micro-batch (noted in the table).
 *
 * After warm-up, the median over the timed steps; `tf.memory().numTensors` after the first
 * and the last step (must not grow). `wasm` runs before `native` (native replaces wasm's
 * kernels in this process). `cpu` (~0.1 img/s) and `webgpu` on a software adapter are skipped
 * for ResNet-18, and `cpu` for both unless named. `--profile` adds, per backend and net, the
 * kernels that dominate one step (tf.profile). `native` is measured once per thread count in
 * `--native-threads` (rows `native:1`, `native:2`), and each native row's ratio to the `wasm`
 * row of the same net, measured in the same run, is printed after the table.
 *
 * `webgpu` is measured once per kernel set in `--webgpu-kernels`: `project` (the project's
 * kernels, the default; row `webgpu`) and/or `stock` (TensorFlow.js's own; row
 * `webgpu:stock`), with the ratio of the two printed after the table. On a software adapter
 * both sets warm up for 1 step (it compiles the shaders), then the stock set runs 1 step
 * (about a minute for the small net there), the project set 3. The `--profile` table gives, per kernel, calls, GPU dispatches (programs
 * run), time and share of one step, with the step's totals.
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { parseArgs } from "node:util";
import { listWorkingBackends, startBackend } from "../src/backend/start.ts";
import { setWebGpuKernelsEnabled } from "../src/backend/webgpu/stock.ts";
import type { BackendInfo } from "../src/backend/info.ts";
import { createModel, type ModelConfig, type SimCLRModel } from "../src/model/simclr_model.ts";
import { Rng } from "../src/streams/rng.ts";
import type { Batch } from "../src/train/batch.ts";
import { computeStepGradients } from "../src/train/_step_objective.ts";
import { MomentumSgd } from "../src/train/sgd.ts";
import { disposeStepGradients } from "../src/train/step_gradients.ts";
import type { NamedTensors } from "../src/train/parameter_set.ts";
import { syntheticBatch } from "./_batch.ts";

const { values: args } = parseArgs({
  args: Deno.args.slice(Deno.args[0] === "step" ? 1 : 0),
  options: {
    backend: { type: "string", default: "all" },
    model: { type: "string", default: "all" },
    steps: { type: "string" },
    warmup: { type: "string" },
    pairs: { type: "string" },
    "micro-pairs": { type: "string", default: "128" },
    profile: { type: "boolean", default: false },
    top: { type: "string", default: "12" },
    "native-threads": { type: "string", default: "1,2" },
    "webgpu-kernels": { type: "string", default: "project" },
  },
});

const webGpuSets = args["webgpu-kernels"].split(",").map((k) => k.trim()).filter(Boolean);
for (const k of webGpuSets) {
  if (k !== "project" && k !== "stock") {
    console.error(`unknown --webgpu-kernels '${k}': choose project, stock or project,stock`);
    Deno.exit(2);
  }
}

type Net = "small" | "resnet18";
const NETS: Record<Net, { config: ModelConfig; pairs: number; label: string }> = {
  small: {
    config: { encoder: "small", head: { layers: 1, outDim: 128 }, seed: 0 },
    pairs: 64,
    label: "small net",
  },
  resnet18: {
    config: { encoder: "resnet18", stem: "cifar", head: { layers: 2, outDim: 128 }, seed: 0 },
    pairs: 256,
    label: "resnet18-cifar",
  },
};

interface Row {
  backend: string;
  device: string;
  net: string;
  pairs: number;
  micro?: number;
  steps: number;
  medianMs?: number;
  /** Median CPU time of the process over a step (all threads: llvmpipe's too). */
  medianCpuMs?: number;
  imgPerSec?: number;
  tensorsBefore?: number;
  tensorsAfter?: number;
  note?: string;
}

function makeBatch(pairs: number, step: number): Batch {
  const views = new Float32Array(2 * pairs * 32 * 32 * 3);
  Rng.fromSeed(7, `bench${step}`).fillNormal(views);
  return syntheticBatch(views, pairs, step);
}

/** One optimizer step over `pairs` pairs, as `micro`-pair micro-batches; returns the loss. */
async function trainStep(
  model: SimCLRModel,
  opt: MomentumSgd,
  batches: Batch[],
): Promise<number> {
  const params = model.store.trainable();
  let sum: NamedTensors | undefined;
  let lossSum = 0;
  for (const b of batches) {
    const g = computeStepGradients(model, b, { temperature: 0.5 });
    lossSum += (await g.loss.data())[0];
    if (!sum) {
      sum = g.grads;
      g.grads = {};
    } else {
      const prev: NamedTensors = sum;
      sum = tf.tidy(() =>
        Object.fromEntries(Object.entries(prev).map(([n, t]) => [n, tf.add(t, g.grads[n])]))
      );
      tf.dispose(Object.values(prev));
    }
    disposeStepGradients(g);
  }
  const grads: NamedTensors = sum!;
  if (batches.length > 1) {
    const mean = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(grads).map(([n, t]) => [n, tf.div(t, batches.length)]),
      )
    );
    tf.dispose(Object.values(grads));
    opt.apply(params, mean, 0.01);
    tf.dispose(Object.values(mean));
  } else {
    opt.apply(params, grads, 0.01);
    tf.dispose(Object.values(grads));
  }
  // Sync: the step is done when an updated weight can be read.
  await params[0].variable.data();
  if (!Number.isFinite(lossSum)) throw new Error(`benchmark step gave a non-finite loss`);
  return lossSum / batches.length;
}

function split(pairs: number, micro: number, step: number): Batch[] {
  const n = Math.ceil(pairs / micro);
  return Array.from({ length: n }, (_, i) => makeBatch(Math.min(micro, pairs - i * micro), step));
}

async function measure(
  backend: string,
  info: BackendInfo,
  net: Net,
  plan: { steps: number; warmup: number; pairs: number; micro: number },
): Promise<Row> {
  const spec = NETS[net];
  const row: Row = {
    backend,
    device: info.device,
    net: spec.label,
    pairs: plan.pairs,
    steps: plan.steps,
  };
  const model = createModel(spec.config);
  const opt = new MomentumSgd({ momentum: 0.9, weightDecay: 1e-6 });
  try {
    const micro = plan.micro > 0 && plan.micro < plan.pairs ? plan.micro : plan.pairs;
    const times: number[] = [], cpu: number[] = [];
    for (let s = 0; s < plan.warmup + plan.steps; s++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      await trainStep(model, opt, split(plan.pairs, micro, s));
      const ms = performance.now() - t0, c = process.cpuUsage(c0);
      if (s === 0) row.tensorsBefore = tf.memory().numTensors;
      if (s >= plan.warmup) {
        times.push(ms);
        cpu.push((c.user + c.system) / 1000);
      }
      console.error(`  ${backend} ${spec.label} step ${s + 1}: ${(ms / 1000).toFixed(2)} s`);
    }
    row.tensorsAfter = tf.memory().numTensors;
    if (micro !== plan.pairs) row.micro = micro;
    row.medianMs = median(times);
    row.medianCpuMs = median(cpu);
    row.imgPerSec = (2 * plan.pairs) / (row.medianMs / 1000);
    if (args.profile) {
      await profile(model, opt, split(plan.pairs, micro, 99), `${backend} ${spec.label}`);
    }
  } catch (err) {
    row.note = `failed: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    opt.dispose();
    model.dispose();
  }
  return row;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function profile(model: SimCLRModel, opt: MomentumSgd, batches: Batch[], label: string) {
  const t0 = performance.now();
  const info = await tf.profile(() => trainStep(model, opt, batches));
  const wallMs = performance.now() - t0;
  const byKernel = new Map<string, { ms: number; calls: number; dispatches: number }>();
  let total = 0, dispatches = 0;
  const backendName = tf.getBackend();
  for (const k of info.kernels) {
    // customGrad ops appear as scopes wrapping their own kernels: count only real kernels.
    if (!tf.getKernel(k.name, backendName)) continue;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0, dispatches: 0 };
    e.ms += ms;
    e.calls++;
    // webgpu lists the programs a kernel ran, "Name: ms, Name: ms" (empty: none).
    const extra = typeof k.extraInfo === "string" ? k.extraInfo : "";
    const n = backendName === "webgpu" && extra ? extra.split(", ").length : 0;
    e.dispatches += n;
    dispatches += n;
    byKernel.set(k.name, e);
    total += ms;
  }
  const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top));
  const gpu = backendName === "webgpu";
  console.log(
    `\nprofile: ${label} (one step: ${total.toFixed(0)} ms in kernels, ${
      (wallMs / 1000).toFixed(2)
    } s wall while profiled${gpu ? `, ${dispatches} dispatches` : ""})`,
  );
  console.log(
    `  ${"kernel".padEnd(28)} ${"calls".padStart(6)} ${gpu ? "dispatches".padStart(10) : ""} ${
      "ms".padStart(9)
    }  share`,
  );
  for (const [name, e] of top) {
    console.log(
      `  ${name.padEnd(28)} ${String(e.calls).padStart(6)} ${
        gpu ? String(e.dispatches).padStart(10) : ""
      } ${e.ms.toFixed(1).padStart(9)}  ${(100 * e.ms / Math.max(total, 1e-9)).toFixed(1)}%`,
    );
  }
}

function planFor(backend: string, info: BackendInfo, net: Net, named: boolean) {
  const pairs = args.pairs ? Number(args.pairs) : NETS[net].pairs;
  const micro = Number(args["micro-pairs"]);
  const slow = backend === "cpu" || (info.name === "webgpu" && info.softwareFallback);
  const user = {
    steps: args.steps ? Number(args.steps) : undefined,
    warmup: args.warmup ? Number(args.warmup) : undefined,
  };
  if (net === "resnet18" && slow && !named) {
    return `skipped: ${
      backend === "cpu"
        ? "cpu is ~0.1 img/s"
        : "software WebGPU adapter is ~4 img/s on the small net"
    }; a 512-view ResNet-18 step would take hours (name it with --backend ${backend} --model resnet18 to force)`;
  }
  if (backend === "cpu" && !named) {
    return "skipped: cpu is ~0.1 img/s (about 20 min per 128-view step); run --backend cpu --steps 1 to measure";
  }
  // The wasm heap (4 GiB) cannot hold a 512-view ResNet-18 step, and an allocation failure
  // aborts the wasm module for the rest of the process: micro-batch it up front there.
  const microPairs = net === "resnet18" && info.tfBackend === "wasm" ? micro : 0;
  if (slow) {
    // The first step compiles every shader (seconds on a software adapter), so both sets warm
    // up once; then the stock set (about a minute per step) is timed once, the project's (a
    // few seconds) as a median of 3.
    const stockSet = backend === "webgpu:stock";
    const steps = user.steps ?? (info.name === "webgpu" && !stockSet ? 3 : 1);
    return { steps, warmup: user.warmup ?? 1, pairs, micro: microPairs };
  }
  if (net === "resnet18") {
    return { steps: user.steps ?? 2, warmup: user.warmup ?? 1, pairs, micro: microPairs };
  }
  return { steps: user.steps ?? 7, warmup: user.warmup ?? 2, pairs, micro: 0 };
}

const working = await listWorkingBackends();
const requested = args.backend === "all"
  ? working
  : args.backend.split(",").map((b) => b.trim()).filter(Boolean);
// wasm before native (native replaces wasm kernels in-process); cpu last.
const order = ["tensorflow", "wasm", "native", "webgpu", "cpu"];
requested.sort((a, b) => order.indexOf(a) - order.indexOf(b));
const nets: Net[] = args.model === "all" ? ["small", "resnet18"] : args.model.split(",") as Net[];
for (const n of nets) {
  if (!(n in NETS)) {
    console.error(`unknown --model '${n}': choose small, resnet18 or all`);
    Deno.exit(2);
  }
}
console.log(`backends working here: ${working.join(", ")}; measuring: ${requested.join(", ")}`);

const rows: Row[] = [];
let softwareWebGpu = false;
const runs = requested.flatMap((b): { backend: string; threads?: number }[] =>
  b === "native"
    ? args["native-threads"].split(",").map((t) => ({
      backend: `native:${Number(t)}`,
      threads: Number(t),
    }))
    : b === "webgpu"
    ? webGpuSets.map((k) => ({ backend: k === "project" ? "webgpu" : "webgpu:stock" }))
    : [{ backend: b, threads: undefined }]
);
for (const { backend, threads } of runs) {
  let info: BackendInfo;
  try {
    info = await startBackend(backend.split(":")[0], { threads });
    if (info.name === "webgpu") {
      setWebGpuKernelsEnabled(backend !== "webgpu:stock");
      softwareWebGpu ||= info.softwareFallback === true;
    }
  } catch (err) {
    rows.push({
      backend,
      device: "-",
      net: "-",
      pairs: 0,
      steps: 0,
      note: (err as Error).message.split("\n")[0],
    });
    continue;
  }
  for (const net of nets) {
    const plan = planFor(backend, info, net, args.backend !== "all" && args.model !== "all");
    if (typeof plan === "string") {
      rows.push({
        backend,
        device: info.device,
        net: NETS[net].label,
        pairs: 0,
        steps: 0,
        note: plan,
      });
      continue;
    }
    console.error(
      `${backend}: ${
        NETS[net].label
      }, ${plan.pairs} pairs, ${plan.warmup} warm-up + ${plan.steps} steps`,
    );
    rows.push(await measure(backend, info, net, plan));
  }
}

console.log("\nSimCLR training step (forward + NT-Xent + backward + momentum SGD), 32x32x3 views");
console.log(
  `${"backend".padEnd(8)} ${"net".padEnd(15)} ${"views".padStart(5)} ${"steps".padStart(5)} ${
    "median s".padStart(9)
  } ${"img/s".padStart(8)} ${"cpu s".padStart(8)} ${"tensors".padStart(13)}  device / note`,
);
for (const r of rows) {
  const tensors = r.tensorsBefore !== undefined ? `${r.tensorsBefore}->${r.tensorsAfter}` : "-";
  const notes = [
    r.micro ? `accumulated from ${r.micro}-pair micro-batches` : "",
    r.tensorsBefore !== undefined && r.tensorsAfter! > r.tensorsBefore ? "TENSORS GREW" : "",
    r.note ?? "",
  ].filter(Boolean);
  console.log(
    `${r.backend.padEnd(8)} ${r.net.padEnd(15)} ${String(2 * r.pairs).padStart(5)} ${
      String(r.steps).padStart(5)
    } ${(r.medianMs !== undefined ? (r.medianMs / 1000).toFixed(2) : "-").padStart(9)} ${
      (r.imgPerSec !== undefined ? r.imgPerSec.toFixed(1) : "-").padStart(8)
    } ${(r.medianCpuMs !== undefined ? (r.medianCpuMs / 1000).toFixed(2) : "-").padStart(8)} ${
      tensors.padStart(13)
    }  ${r.device}${notes.length ? ` | ${notes.join("; ")}` : ""}`,
  );
}

const gpuRows = rows.filter((r) => r.backend === "webgpu" && r.medianMs !== undefined);
const stockRow = (net: string) =>
  rows.find((r) => r.backend === "webgpu:stock" && r.net === net && r.medianMs !== undefined);
if (gpuRows.some((r) => stockRow(r.net))) {
  console.log(
    "\nwebgpu, project kernels vs stock kernels, measured in this run (wall time; CPU time " +
      "of the process, which on a software adapter is the work done, whatever else runs):",
  );
}
for (const r of gpuRows) {
  const b = stockRow(r.net);
  if (b) {
    console.log(
      `  ${r.net.padEnd(15)} x${(b.medianMs! / r.medianMs!).toFixed(2)} wall (step ${
        (r.medianMs! / 1000).toFixed(2)
      } s vs ${(b.medianMs! / 1000).toFixed(2)} s), x${
        (b.medianCpuMs! / r.medianCpuMs!).toFixed(2)
      } CPU (${(r.medianCpuMs! / 1000).toFixed(2)} s vs ${(b.medianCpuMs! / 1000).toFixed(2)} s)`,
    );
  }
}

if (softwareWebGpu && rows.some((r) => r.backend === "webgpu:stock" && r.medianMs !== undefined)) {
  console.log(
    "  note: this adapter is software (Mesa llvmpipe), which ends a shader invocation's loops " +
      "after 65535 iterations in all. The stock Conv2DBackpropFilter loops over " +
      "batch*outH*outW per thread, so for layers where that passes 65535 it stops early: its " +
      "gradient is wrong and its time a lower bound. The project kernels split such " +
      "contractions (src/backend/webgpu/tuning.ts, getLoopLimit).",
  );
}

const wasmRate = (net: string) =>
  rows.find((r) => r.backend === "wasm" && r.net === net)?.imgPerSec;
const ratios = rows.filter((r) => r.backend.startsWith("native") && r.imgPerSec !== undefined);
if (ratios.length) console.log("\nnative vs wasm, measured in this run:");
for (const r of ratios) {
  const base = wasmRate(r.net);
  console.log(
    `  ${r.backend.padEnd(8)} ${r.net.padEnd(15)} ${
      base
        ? `x${(r.imgPerSec! / base).toFixed(2)} (${r.imgPerSec!.toFixed(1)} vs ${
          base.toFixed(1)
        } img/s)`
        : "no wasm row"
    }`,
  );
}
