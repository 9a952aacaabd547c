/**
 * The checkpoint file format (private to the package): model parameters and BN statistics,
 * optimizer state, schedule position, RNG state and the caller's data position (and the online
 * classifier's weights and optimizer state, when it trains), in one safetensors file with a
 * SHA-256 checksum. Written atomically (temporary file, fsync, rename; the last K kept, see
 * `checkpoint_files.ts`); the checksum is verified on load. Version-1 files (written before the
 * training vocabulary was renamed) load too: see {@link upgradeMeta}.
 */
import type { ModelConfig, SimCLRModel } from "../model/simclr_model.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "../model/safetensors.ts";
import { storeTensors } from "../model/_store_tensors.ts";
import { sha256Hex } from "../streams/sha256.ts";
import type { Checkpoint, CheckpointMeta } from "./checkpoint.ts";
import { CorruptCheckpointError } from "./checkpoint_error.ts";
import { writeCheckpointFiles } from "./checkpoint_files.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { Optimizer, OptimizerState } from "./optimizer.ts";
import type { TrainState } from "./train_state.ts";

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

/** Name prefixes of the tensors in the file. */
const PREFIX = {
  model: "model/",
  optimizer: "optimizer/",
  online: "online/",
  onlineOptimizer: "online-optimizer/",
} as const;

/** Thrown when parameters hold NaN or infinite values. */
export class NonFiniteError extends Error {}

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
