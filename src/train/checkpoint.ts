/**
 * Checkpoints as a user meets them: what a loaded, verified checkpoint holds, loading one, and
 * restoring a model, its optimizer and the train state from it (the trainer writes them; the
 * file format is `_checkpoint_codec.ts`).
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, SimCLRModel } from "../model/simclr_model.ts";
import type { SafeTensor } from "../model/safetensors.ts";
import { assignStoreTensors } from "../model/_store_tensors.ts";
import { decodeCheckpoint } from "./_checkpoint_codec.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { Optimizer } from "./optimizer.ts";
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
