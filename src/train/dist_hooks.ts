/**
 * Data-parallel training over a {@linkcode Communicator}: the forward-pass hooks (NT-Xent
 * candidates all-gathered from every rank, global batch norm) and the gradient all-reduce
 * stage (one fused all-reduce of a flat buffer per step, loss and accuracy riding along).
 *
 * Every collective here is synchronous (it blocks the JS thread until all ranks took part):
 * the hooks run inside TensorFlow.js's synchronous forward and gradient functions, and the
 * gradient stage stays synchronous too so that every rank issues the same collectives in the
 * same order (an asynchronous all-reduce of step k could otherwise interleave with the
 * gathers of step k+1). The ranks must also not start step k+1 before step k's optimizer
 * update: write one micro-batch at a time and await `trainer.applied.until(...)` at the end of
 * each step (as `pipeline/train_loop.ts` does through `pipeline/ranks.ts`).
 *
 * Values cross ranks through `dataSync()`, which works on the `cpu`, `wasm`, `native` and
 * `tensorflow` backends, not on `webgpu` (several ranks are refused there).
 */
import * as tf from "@tensorflow/tfjs";
import type { Communicator } from "../distributed/communicator.ts";
import { compareAcrossRanks } from "../distributed/_compare_ranks.ts";
import { FlatPacker } from "../distributed/flat.ts";
import type { BatchNormHooks } from "../model/forward_context.ts";
import type { GatheredCandidates } from "./nt_xent.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { disposeStepGradients, type StepGradients } from "./step_gradients.ts";
import type { TrainingHooks } from "./training_hooks.ts";
import { sha256Hex } from "../streams/sha256.ts";

/**
 * Options of {@link distTrainingHooks}.
 *
 * @example Local batch norm, gathered negatives
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DistHooksOptions, distTrainingHooks } from "@simclr/streams/train";
 * import { SingleCommunicator } from "@simclr/streams/distributed";
 * const options: DistHooksOptions = { globalBn: false, gatherNegatives: true };
 * const comm = new SingleCommunicator({ listenForStop: false });
 * assert.equal(distTrainingHooks(comm, options), undefined); // one rank: nothing to hook
 * await comm.close();
 * ```
 */
export interface DistHooksOptions {
  /** Reduce batch-norm statistics across ranks (global BN; default true). */
  globalBn?: boolean;
  /** Gather NT-Xent candidates from every rank (default true). */
  gatherNegatives?: boolean;
}

/** Throws when the active backend cannot read tensors synchronously (webgpu). */
export function assertSyncBackend(size: number): void {
  const name = tf.getBackend();
  if (size > 1 && name === "webgpu") {
    throw new RangeError(
      `data-parallel training over ${size} ranks is not supported on the webgpu backend (its ` +
        "tensors cannot be read synchronously, which the cross-rank batch norm and NT-Xent " +
        "gather need): use --backend wasm, native, cpu or tensorflow",
    );
  }
}

/**
 * NT-Xent candidates of the global batch: an all-gather of every rank's local normalized
 * projections `[2B, d]` into `[size * 2B, d]` (rank order; this rank's block at
 * `rank * 2B`), whose gradient sums the candidates' gradient over ranks and returns this
 * rank's rows. Each rank's loss is then the mean over its own 2B anchors against all
 * `2 * size * B - 1` candidates (positive inside the local block), so the mean of the ranks'
 * losses is the loss of one process holding the whole batch (row order changes only the
 * order of the sums), and each rank's gradient is that of the sum of all ranks' losses.
 */
export function gatherCandidates(comm: Communicator): (local: tf.Tensor2D) => GatheredCandidates {
  const { rank, size } = comm;
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor2D;
    const [rows, d] = x.shape;
    const all = comm.allGatherSync(Float32Array.from(x.dataSync()));
    return {
      value: tf.tensor2d(all, [rows * size, d]),
      gradFunc: (dy: tf.Tensor) => {
        const summed = comm.allReduceSync(Float32Array.from(dy.dataSync()), "sum");
        return tf.tensor2d(summed.subarray(rank * rows * d, (rank + 1) * rows * d), [rows, d]);
      },
    };
  });
  return (local) => ({
    candidates: op(local) as tf.Tensor2D,
    offset: rank * local.shape[0],
  });
}

/**
 * Global batch norm: per-channel sums (forward `[sum x, sum x^2]`, backward
 * `[sum dy, sum dy*xhat]`) summed over ranks; every rank holds the same number of values.
 */
export function globalBatchNorm(comm: Communicator): BatchNormHooks {
  return {
    allReduceSum: (sums) => {
      const [k, c] = sums.shape;
      return tf.tensor2d(comm.allReduceSync(Float32Array.from(sums.dataSync()), "sum"), [k, c]);
    },
    globalCount: (localCount) => localCount * comm.size,
  };
}

/**
 * The forward-pass hooks of a data-parallel run: gathered NT-Xent candidates and (optionally)
 * global BN. With one rank there is nothing to do: no hooks (the single-process path).
 *
 * @throws {RangeError} for several ranks on the webgpu backend (its tensors cannot be read
 *   synchronously).
 *
 * @example The data-parallel trainer (the same code on one rank or many)
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { allReduceGradientsStage, type Batch, distTrainingHooks, Lars, trainer } from "@simclr/streams/train";
 * import { createCommunicator } from "@simclr/streams/distributed";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const comm = await createCommunicator("single"); // "auto" under mpirun
 * // each rank feeds its own share of every global batch, with the same microStep
 * const sink = trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1,
 *   hooks: distTrainingHooks(comm, { globalBn: true }),
 *   stages: [allReduceGradientsStage(comm)],
 * });
 * const writer = sink.getWriter();
 * for (const step of [0, 1]) {
 *   comm.step = step;
 *   await writer.write(batch(step));
 *   await sink.applied.until(step); // keep the ranks in lockstep
 * }
 * await writer.close();
 * assert.equal(sink.applied.state.step, 2);
 * await comm.close();
 * ```
 */
export function distTrainingHooks(
  comm: Communicator,
  opts: DistHooksOptions = {},
): TrainingHooks | undefined {
  if (comm.size === 1) return undefined;
  assertSyncBackend(comm.size);
  return {
    gather: opts.gatherNegatives === false ? undefined : gatherCandidates(comm),
    batchNorm: opts.globalBn === false ? undefined : globalBatchNorm(comm),
  };
}

/** Names of the extra slots of the flat buffer (they sort after any parameter name). */
const LOSS_SLOT = "\uffffloss";
const ACCURACY_SLOT = "\uffffaccuracy";
/** The online classifier's `[cross-entropy sum, correct, labelled]` (when it trains). */
const ONLINE_SLOT = "\uffffonline";

/**
 * Averages one step's gradients (the online classifier's among them), loss, accuracy and online
 * classifier counts over ranks with ONE all-reduce (mean) of a flat buffer, synchronously;
 * returns new tensors and disposes the local ones. `packer` is created on first use (pass the
 * same holder every step).
 */
export function reduceStepGradients(
  comm: Communicator,
  g: StepGradients,
  holder: { packer?: FlatPacker } = {},
): StepGradients {
  const names = Object.keys(g.grads);
  const extras = g.online ? 3 : 2;
  if (!holder.packer) {
    const sizes = new Map(names.map((n) => [n, g.grads[n].size]));
    sizes.set(LOSS_SLOT, 1);
    sizes.set(ACCURACY_SLOT, 1);
    if (g.online) sizes.set(ONLINE_SLOT, g.online.size);
    holder.packer = new FlatPacker(sizes);
  }
  const packer = holder.packer;
  if (packer.slots.length !== names.length + extras) {
    throw new TypeError(
      `gradient all-reduce: micro-batch ${g.microStep} has ${names.length} gradients` +
        `${g.online ? " and online classifier counts" : ""}, the first step had ` +
        `${packer.slots.length} slots`,
    );
  }
  for (const n of names) packer.view(n).set(g.grads[n].dataSync() as Float32Array);
  packer.view(LOSS_SLOT)[0] = g.loss.dataSync()[0];
  packer.view(ACCURACY_SLOT)[0] = g.accuracy.dataSync()[0];
  if (g.online) packer.view(ONLINE_SLOT).set(g.online.dataSync() as Float32Array);
  comm.allReduceSync(packer.buffer, "mean");
  const grads: NamedTensors = {};
  for (const n of names) grads[n] = tf.tensor(packer.view(n), g.grads[n].shape);
  const out: StepGradients = {
    ...g,
    pairs: g.pairs * comm.size,
    ...(g.images !== undefined ? { images: g.images * comm.size } : {}),
    grads,
    loss: tf.scalar(packer.view(LOSS_SLOT)[0]),
    accuracy: tf.scalar(packer.view(ACCURACY_SLOT)[0]),
    ...(g.online ? { online: tf.tensor1d(packer.view(ONLINE_SLOT).slice()) } : {}),
  };
  disposeStepGradients(g);
  return out;
}

/**
 * `TransformStream<StepGradients, StepGradients>`: the cross-rank gradient all-reduce stage,
 * placed after accumulation and before the optimizer (the trainer's `stages`). With one rank
 * it passes gradients through untouched.
 *
 * @example One rank: the gradients pass through
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { allReduceGradientsStage, type Batch, disposeStepGradients, forwardBackward, type StepGradients } from "@simclr/streams/train";
 * import { SingleCommunicator } from "@simclr/streams/distributed";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const comm = new SingleCommunicator({ listenForStop: false });
 * const out: StepGradients[] = [];
 * await ReadableStream.from([batch(0)]).pipeThrough(forwardBackward(model))
 *   .pipeThrough(allReduceGradientsStage(comm))
 *   .pipeTo(new WritableStream({ write: (g) => { out.push(g); } }));
 * assert.equal(out[0].pairs, 2); // on N ranks: N times the local pairs, gradients averaged
 * out.forEach(disposeStepGradients);
 * await comm.close();
 * ```
 */
export function allReduceGradientsStage(
  comm: Communicator,
): TransformStream<StepGradients, StepGradients> {
  const holder: { packer?: FlatPacker } = {};
  return new TransformStream<StepGradients, StepGradients>(
    {
      transform(g, controller) {
        if (comm.size === 1) return controller.enqueue(g);
        const t0 = performance.now();
        const out = reduceStepGradients(comm, g, holder);
        out.computeMs += performance.now() - t0;
        controller.enqueue(out);
      },
    },
    { highWaterMark: 1 },
    { highWaterMark: 0 },
  );
}

/**
 * SHA-256 (hex) of every parameter and buffer of a store, in name order: equal on every rank
 * while the weights stay identical.
 */
export async function weightsHash(
  params: { name: string; variable: tf.Variable }[],
): Promise<string> {
  const sorted = [...params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const p of sorted) {
    const data = await p.variable.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    parts.push(bytes);
    total += bytes.length;
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const b of parts) {
    all.set(b, off);
    off += b.length;
  }
  return await sha256Hex(all);
}

/**
 * Collective: throws on every rank, naming the ranks that differ from rank 0, when a checksum
 * of `params` is not the same on every rank (the weights of data-parallel ranks must stay
 * identical: a difference means a non-deterministic kernel or a missed update).
 *
 * @throws {Error} "the weights diverged across ranks after step N ..." on every rank.
 *
 * @example A periodic check during training
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { assertSameWeights } from "@simclr/streams/train";
 * import { SingleCommunicator } from "@simclr/streams/distributed";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * const comm = new SingleCommunicator({ listenForStop: false });
 * await assertSameWeights(comm, model.store.all(), 0); // resolves: every rank agrees
 * await comm.close();
 * assert.equal(comm.size, 1);
 * ```
 */
export async function assertSameWeights(
  comm: Communicator,
  params: { name: string; variable: tf.Variable }[],
  step: number,
): Promise<void> {
  if (comm.size === 1) return;
  const { reference, differ } = await compareAcrossRanks(comm, await weightsHash(params));
  if (differ.length > 0) {
    throw new Error(
      `the weights diverged across ranks after step ${step}: rank 0 has ` +
        `${reference.slice(0, 12)}, ` +
        differ.map((d) => `rank ${d.rank} has ${d.hash.slice(0, 12)}`).join(", ") +
        " (a non-deterministic kernel, or ranks that applied different updates)",
    );
  }
}
