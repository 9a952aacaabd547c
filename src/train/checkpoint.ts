/**
 * Checkpoints: model parameters and BN statistics, optimizer state, schedule position, RNG state
 * and the caller's data position (and the online classifier's weights and optimizer state, when
 * it trains), in one safetensors file with a SHA-256 checksum. Written atomically (temporary
 * file, fsync, rename; the last K kept, see `checkpoint_files.ts`); the checksum is verified on
 * load. Version-1 files
 * (written before the training vocabulary was renamed) load too: see {@link upgradeMeta}.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, SimCLRModel } from "../model/simclr_model.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "../model/safetensors.ts";
import { assignStoreTensors, storeTensors } from "../model/weights.ts";
import { sha256Hex } from "../streams/sha256.ts";
import { writeCheckpointFiles } from "./checkpoint_files.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { Optimizer, OptimizerState } from "./optimizer.ts";
import type { TrainState } from "./train_state.ts";

/**
 * The JSON part of a checkpoint.
 *
 * @example What a checkpoint says about its run
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, type CheckpointMeta, Lars, loadCheckpoint, trainer } from "@simclr/streams/train";
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const meta: CheckpointMeta = (await loadCheckpoint(path)).meta;
 * assert.equal(meta.train.step, 2);
 * assert.equal(meta.optimizer.kind, "lars");
 * assert.deepEqual(meta.dataPosition, { epoch: 0, nextMicroStep: 2 }); // where the data resumes
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface CheckpointMeta {
  /** Marks the file as a checkpoint of this project. */
  format: "simclr-checkpoint";
  /** 2 since `train.batchStep` became `train.microStep` and the `bench` encoder `small`. */
  version: 2;
  /** The model's architecture: `createModel(meta.modelConfig)` rebuilds it. */
  modelConfig: ModelConfig;
  /** The optimizer's name and update count. */
  optimizer: { kind: string; iterations: number };
  /** The run's progress at the checkpoint. */
  train: TrainState;
  /** RNG state of the caller (e.g. the augmentation seed and streams). */
  rng?: unknown;
  /** Where the data stream resumes (e.g. `{ epoch, offset }`), as the caller defined it. */
  dataPosition?: unknown;
  /** The online classifier's shape and optimizer counters, when one trained. */
  online?: {
    featureDim: number;
    numClasses: number;
    optimizer: { kind: string; iterations: number };
  };
  /** When it was written (ISO). */
  savedAt: string;
}

/** What {@link saveCheckpoint} stores. */
export interface CheckpointInput {
  model: SimCLRModel;
  optimizer: Optimizer;
  /** The online classifier (weights and optimizer state are stored). */
  online?: OnlineClassifier;
  state: TrainState;
  rng?: unknown;
  dataPosition?: unknown;
}

/**
 * A loaded, verified checkpoint.
 *
 * @example Its tensors
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, type Checkpoint, Lars, loadCheckpoint, trainer } from "@simclr/streams/train";
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const ckpt: Checkpoint = await loadCheckpoint(path);
 * assert.equal(ckpt.model.size, model.store.all().length); // every parameter and buffer
 * assert.ok(ckpt.optimizerSlots.size > 0); // LARS momentum
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Checkpoint {
  /** The file it was read from. */
  path: string;
  /** Its JSON part. */
  meta: CheckpointMeta;
  /** Model tensors by parameter name. */
  model: Map<string, SafeTensor>;
  /** Optimizer slots by `${param}/${slot}`. */
  optimizerSlots: Map<string, SafeTensor>;
  /** The online classifier's parameters and optimizer slots, when one trained. */
  online?: { params: Map<string, SafeTensor>; slots: Map<string, SafeTensor> };
}

/** Name prefixes of the tensors in the file. */
const PREFIX = {
  model: "model/",
  optimizer: "optimizer/",
  online: "online/",
  onlineOptimizer: "online-optimizer/",
} as const;

/** Thrown when parameters hold NaN or infinite values. */
export class NonFiniteError extends Error {}

/**
 * Thrown when a checkpoint file is damaged or truncated (checksum or format).
 *
 * @example A truncated file
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, CorruptCheckpointError, Lars, loadCheckpoint, trainer } from "@simclr/streams/train";
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const bytes = await Deno.readFile(path);
 * await Deno.writeFile(path, bytes.subarray(0, bytes.length - 10));
 * await assert.rejects(() => loadCheckpoint(path), (err) => err instanceof CorruptCheckpointError && err.path === path);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CorruptCheckpointError extends Error {
  /** `path` is the damaged file, `why` what is wrong with it. */
  constructor(readonly path: string, readonly why: string) {
    super(
      `checkpoint ${path} is corrupt (${why}); it was damaged or truncated after writing: ` +
        `resume from an earlier checkpoint or start the run again`,
    );
    this.name = "CorruptCheckpointError";
  }
}

const ZEROS = "0".repeat(64);

/** Serializes a checkpoint (reads tensors asynchronously); refuses non-finite parameters. */
export async function encodeCheckpoint(input: CheckpointInput): Promise<Uint8Array> {
  const model = await storeTensors(input.model.store);
  for (const [name, t] of model) {
    if (!(t.data as Float32Array).every(Number.isFinite)) {
      throw new NonFiniteError(`parameter '${name}' holds NaN or infinite values`);
    }
  }
  const opt = input.optimizer.state();
  const tensors: [string, SafeTensor][] = [];
  for (const [name, t] of model) tensors.push([`${PREFIX.model}${name}`, t]);
  tensors.push(...await slotTensors(PREFIX.optimizer, opt));
  const online = input.online;
  const onlineOpt = online?.optimizer.state();
  if (online && onlineOpt) {
    for (const [name, t] of await storeTensors(online.store)) {
      tensors.push([`${PREFIX.online}${name}`, t]);
    }
    tensors.push(...await slotTensors(PREFIX.onlineOptimizer, onlineOpt));
  }
  const meta: CheckpointMeta = {
    format: "simclr-checkpoint",
    version: 2,
    modelConfig: input.model.config,
    optimizer: { kind: opt.kind, iterations: opt.iterations },
    train: { ...input.state },
    rng: input.rng,
    dataPosition: input.dataPosition,
    ...(online && onlineOpt
      ? {
        online: {
          featureDim: online.featureDim,
          numClasses: online.numClasses,
          optimizer: { kind: onlineOpt.kind, iterations: onlineOpt.iterations },
        },
      }
      : {}),
    savedAt: new Date().toISOString(),
  };
  const bytes = encodeSafetensors(tensors, {
    checksum: ZEROS,
    simclr_checkpoint: JSON.stringify(meta),
  });
  const at = findChecksum(bytes, ZEROS);
  const hex = await sha256Hex(bytes);
  bytes.set(new TextEncoder().encode(hex), at);
  return bytes;
}

/** An optimizer's slots as named float32 tensors under `prefix` (read asynchronously). */
async function slotTensors(prefix: string, opt: OptimizerState): Promise<[string, SafeTensor][]> {
  const out: [string, SafeTensor][] = [];
  for (const [key, t] of Object.entries(opt.slots)) {
    out.push([`${prefix}${key}`, {
      dtype: "F32",
      shape: t.shape,
      data: await t.data() as Float32Array,
    }]);
  }
  return out;
}

/**
 * Writes a checkpoint to `path` atomically (temporary file + fsync + rename), keeping the last
 * `keep` checkpoints (default 1: `path` alone) under numbered names beside it (see
 * `writeCheckpointFiles`). A failed write (a full disk) leaves no temporary file and names the
 * file in its error.
 */
export async function saveCheckpoint(
  path: string,
  input: CheckpointInput,
  keep = 1,
): Promise<void> {
  const bytes = await encodeCheckpoint(input);
  await writeCheckpointFiles(path, bytes, input.state.step, keep);
}

/**
 * Reads and verifies a checkpoint; throws a clear error when it is damaged.
 *
 * @throws {CorruptCheckpointError} when the file is damaged or truncated.
 *
 * @example Load, then rebuild the model it came from
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, loadCheckpoint, trainer } from "@simclr/streams/train";
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const ckpt = await loadCheckpoint(path);
 * const again = createModel(ckpt.meta.modelConfig); // the same architecture
 * assert.equal(again.store.countTrainable(), model.store.countTrainable());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message}`, { cause: err });
  }
  return await decodeCheckpoint(bytes, path);
}

/** Verifies and decodes checkpoint bytes (`path` names the source in errors). */
export async function decodeCheckpoint(bytes: Uint8Array, path: string): Promise<Checkpoint> {
  const corrupt = (why: string): never => {
    throw new CorruptCheckpointError(path, why);
  };
  let file;
  try {
    file = decodeSafetensors(bytes, path);
  } catch (err) {
    return corrupt((err as Error).message);
  }
  const stored = file.metadata.checksum;
  if (typeof stored !== "string" || !/^[0-9a-f]{64}$/.test(stored)) {
    return corrupt("no checksum in its header");
  }
  let at = 0;
  try {
    at = findChecksum(bytes, stored);
  } catch (err) {
    corrupt((err as Error).message);
  }
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(ZEROS), at);
  const actual = await sha256Hex(copy);
  if (actual !== stored) corrupt(`checksum mismatch: stored ${stored}, computed ${actual}`);
  const meta = upgradeMeta(JSON.parse(file.metadata.simclr_checkpoint), path);
  const maps: Record<keyof typeof PREFIX, Map<string, SafeTensor>> = {
    model: new Map(),
    optimizer: new Map(),
    online: new Map(),
    onlineOptimizer: new Map(),
  };
  for (const [name, t] of file.tensors) {
    for (const [key, prefix] of Object.entries(PREFIX) as [keyof typeof PREFIX, string][]) {
      if (name.startsWith(prefix)) maps[key].set(name.slice(prefix.length), t);
    }
  }
  const out: Checkpoint = { path, meta, model: maps.model, optimizerSlots: maps.optimizer };
  if (meta.online) out.online = { params: maps.online, slots: maps.onlineOptimizer };
  return out;
}

/**
 * Loads a verified checkpoint's weights into `model` (built from `checkpoint.meta.modelConfig`)
 * and its state into `optimizer`, and the online classifier's into `online` when both the
 * checkpoint and the caller have one (a checkpoint without it leaves `online` as it is: see
 * `checkpoint.online`); returns the train state to continue from.
 *
 * @example Resuming a run
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, loadCheckpoint, restoreCheckpoint, trainer } from "@simclr/streams/train";
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const ckpt = await loadCheckpoint(path);
 * const resumed = createModel(ckpt.meta.modelConfig);
 * const optimizer = new Lars();
 * const state = restoreCheckpoint(ckpt, resumed, optimizer);
 * assert.equal(state.step, 2);
 * // the same weights as the model that wrote it
 * const name = model.store.trainable()[0].name;
 * assert.deepEqual(await resumed.store.get(name).variable.data(), await model.store.get(name).variable.data());
 * // continue with micro-batch 2 (ckpt.meta.dataPosition) from step 2
 * await ReadableStream.from([batch(2)]).pipeTo(trainer({ model: resumed, optimizer, learningRate: () => 0.1, state }));
 * assert.equal(state.step, 3);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function restoreCheckpoint(
  checkpoint: Checkpoint,
  model: SimCLRModel,
  optimizer: Optimizer,
  online?: OnlineClassifier,
): TrainState {
  assignStoreTensors(model.store, checkpoint.model, checkpoint.path);
  loadOptimizer(optimizer, checkpoint.meta.optimizer, checkpoint.optimizerSlots);
  const saved = checkpoint.online;
  if (online && saved && checkpoint.meta.online) {
    assignStoreTensors(online.store, saved.params, `${checkpoint.path} (online classifier)`);
    try {
      loadOptimizer(online.optimizer, checkpoint.meta.online.optimizer, saved.slots);
    } catch (err) {
      throw new Error(
        `${checkpoint.path}: the online classifier's ${(err as Error).message} (its optimizer is ` +
          "eval.onlineHead.optimizer)",
        { cause: err },
      );
    }
  }
  return { ...checkpoint.meta.train };
}

function loadOptimizer(
  optimizer: Optimizer,
  counters: { kind: string; iterations: number },
  stored: Map<string, SafeTensor>,
): void {
  const slots: Record<string, tf.Tensor> = {};
  for (const [key, t] of stored) {
    slots[key] = tf.tensor(t.data as Float32Array, t.shape, "float32");
  }
  try {
    optimizer.loadState({ ...counters, slots });
  } finally {
    tf.dispose(Object.values(slots));
  }
}

/**
 * The metadata of a version-2 checkpoint from that of a version 1 or 2 one. Version 1 named the
 * index of the last micro-batch `train.batchStep` (now `microStep`) and the small encoder
 * `bench` (now `small`, with `smallWidths`); its `dataPosition` stays as written.
 */
function upgradeMeta(meta: Record<string, unknown>, path: string): CheckpointMeta {
  if (meta.format !== "simclr-checkpoint" || (meta.version !== 1 && meta.version !== 2)) {
    throw new Error(
      `${path} is not a SimCLR checkpoint of version 1 or 2 (format ${meta.format}, version ` +
        `${meta.version}): it was written by another program or a newer version of this one`,
    );
  }
  if (meta.version === 2) return meta as unknown as CheckpointMeta;
  const { batchStep, ...train } = meta.train as Omit<TrainState, "microStep"> & {
    batchStep: number;
  };
  const { benchWidths, ...model } = meta.modelConfig as Omit<ModelConfig, "encoder"> & {
    encoder: ModelConfig["encoder"] | "bench";
    benchWidths?: ModelConfig["smallWidths"];
  };
  return {
    ...meta as unknown as CheckpointMeta,
    version: 2,
    train: { ...train, microStep: batchStep },
    modelConfig: {
      ...model,
      encoder: model.encoder === "bench" ? "small" : model.encoder,
      ...(benchWidths ? { smallWidths: benchWidths } : {}),
    },
  };
}

function findChecksum(bytes: Uint8Array, hex: string): number {
  const needle = new TextEncoder().encode(`"checksum":"${hex}"`);
  const headerEnd = Math.min(
    bytes.length,
    8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)),
  );
  outer: for (let i = 8; i + needle.length <= headerEnd; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i + needle.length - 65;
  }
  throw new Error(`checksum field not found in the checkpoint header`);
}
