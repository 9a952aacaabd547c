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
import { assignStoreTensors, storeTensors } from "../model/_store_tensors.ts";
import { sha256Hex } from "../streams/sha256.ts";
import { writeCheckpointFiles } from "./checkpoint_files.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { Optimizer, OptimizerState } from "./optimizer.ts";
import type { TrainState } from "./train_state.ts";

/** The JSON part of a checkpoint. */
export interface CheckpointMeta {
  format: "simclr-checkpoint";
  /** 2 since `train.batchStep` became `train.microStep` and the `bench` encoder `small`. */
  version: 2;
  modelConfig: ModelConfig;
  optimizer: { kind: string; iterations: number };
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

/** A loaded, verified checkpoint. */
export interface Checkpoint {
  path: string;
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

/** Thrown when a checkpoint file is damaged or truncated (checksum or format). */
export class CorruptCheckpointError extends Error {
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

/** Reads and verifies a checkpoint; throws a clear error when it is damaged. */
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
