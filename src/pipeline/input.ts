/**
 * The training input as one stream: epoch order -> read -> decode + paired augmentation in a
 * worker pool (ordered) -> batches of whole epochs -> prefetch. Every epoch gives exactly the
 * plan's micro-batches (`microStepsPerEpoch`), from its first usable samples in epoch order: the
 * samples after them (the dropped tail, like `drop_last`, plus what the accumulation groups leave)
 * are not used, skipped samples under `onError: skip` are replaced by the next ones, and an epoch
 * with too few usable samples stops the input with an error saying so. Generic stages come from
 * `src/streams`, sources from `src/data`, views from `src/augment`.
 */
import type { PairedViewsConfig } from "../augment/paired.ts";
import type { ViewPair } from "../augment/view_pair.ts";
import type { DecoderName } from "../data/decoders.ts";
import { DataError, SkipLog } from "../data/errors.ts";
import type { IndexedDataset, IndexedSample } from "../data/indexed.ts";
import type { OpenedDataset } from "../data/registry.ts";
import { skipFailures } from "../data/skip_failures.ts";
import { datasetSamples } from "../data/samples.ts";
import { map } from "../streams/map.ts";
import { parallelMap } from "../streams/parallel_map.ts";
import { prefetch } from "../streams/prefetch.ts";
import type { Telemetry } from "../streams/telemetry.ts";
import type { Batch } from "../train/batch.ts";
import { packBatches } from "./_pack_batches.ts";
import { createMapper, type ViewFailure, type ViewWorkerInit } from "./view_worker.ts";

/**
 * Options of {@link trainingBatches}: the dataset, the augmentation, the batch and epoch
 * layout, workers and prefetch, the bad-input policy.
 *
 * @example The input of one process
 * ```ts
 * import type { TrainingInputOptions } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const layout: Omit<TrainingInputOptions, "dataset"> = {
 *   augment: { preset: "simclr-gray", size: 28 }, channels: 1, batchSize: 256,
 *   microStepsPerEpoch: 234, seed: 0, epochs: 10, workers: 2, prefetch: 2,
 * };
 * assert.equal(layout.batchSize * layout.microStepsPerEpoch, 59904); // of 60000 images
 * ```
 */
export interface TrainingInputOptions {
  /** The opened training dataset (`openDataset` of `@simclr/streams/data`). */
  dataset: OpenedDataset;
  /** The augmentation preset and options (`augment.*`). */
  augment: PairedViewsConfig;
  /** Channels the model takes. */
  channels: 1 | 3;
  /** Pairs per batch on this process. */
  batchSize: number;
  /** Micro-batches per epoch on this process (`StepPlan.microStepsPerEpoch`). */
  microStepsPerEpoch: number;
  /**
   * Samples of an epoch over all ranks, as the plan counted them (for tar shards `data.maxSamples`,
   * whose epochs this rank stops reading after its share); for messages and the tar epoch size.
   */
  samplesPerEpoch?: number;
  /** Run seed: the epoch order and every view's randomness derive from it. */
  seed: number;
  /** Epochs of the whole run: the stream ends with the last micro-batch of epoch `epochs - 1`. */
  epochs: number;
  /** First `Batch.microStep` to produce (resume: the one after the checkpoint's). */
  startMicroStep?: number;
  /**
   * Where this rank reads on in its part of the epoch of `startMicroStep` (resume: the
   * checkpoint's, see `resumePosition`; default `j * batchSize` for the epoch's micro-batch `j`,
   * right when no sample of the epoch was skipped before it).
   */
  startPosition?: number;
  /** Augmentation workers (0: on this thread). */
  workers: number;
  /** Batches queued ahead of the trainer. */
  prefetch: number;
  /** Shuffle buffer for tar shards. */
  shuffleBuffer?: number;
  /** What an unreadable or undecodable sample does (default `fail`). */
  onError?: "fail" | "skip";
  /** The image decoder (`data.decoder`). */
  decoder?: DecoderName;
  /** Pixel limit of a decode (`data.maxPixels`). */
  maxPixels?: number;
  /** This rank and the number of ranks (each reads its blocked part of every epoch). */
  rank?: number;
  /** Number of ranks (default 1). */
  worldSize?: number;
  /** Where the stages report their timings. */
  telemetry?: Telemetry;
  /** Where skipped samples are counted (default: a log that warns once per epoch). */
  skips?: SkipLog;
}

/**
 * The training batches as one stream, from `startMicroStep` to the end of the last epoch:
 * epoch order (seeded shuffle), decode + paired SimCLR views in a worker pool, whole-epoch
 * batches, prefetch. What `pretrain` feeds its trainer; pipe it into `trainer` of
 * `@simclr/streams/train` for a loop of your own.
 *
 * @param o The dataset and the batch layout.
 * @returns Batches of `2 x batchSize` views (first views, then second views).
 *
 * @example Two batches of a tiny dataset
 * ```ts
 * import { openDataset } from "@simclr/streams/data";
 * import { trainingBatches } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * // A tiny dataset in MNIST's file layout: 8x8 gray images of two classes.
 * const dir = await Deno.makeTempDir();
 * const gz = (magic: number, dims: number[], body: number[]) => {
 *   const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
 *   head.setUint32(0, magic);
 *   dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
 *   return gzipSync(Uint8Array.from([...new Uint8Array(head.buffer), ...body]));
 * };
 * for (const [split, n] of [["train", 16], ["t10k", 8]] as const) {
 *   const labels = Array.from({ length: n }, (_, i) => i % 2);
 *   // class 0: horizontal stripes, class 1: vertical ones
 *   const pixels = Array.from({ length: n * 64 }, (_, p) =>
 *     ((labels[p >> 6] ? p : p >> 3) % 8) * 30);
 *   await Deno.writeFile(`${dir}/${split}-images-idx3-ubyte.gz`, gz(0x803, [n, 8, 8], pixels));
 *   await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte.gz`, gz(0x801, [n], labels));
 * }
 * const dataset = await openDataset("mnist", { path: dir, split: "train" });
 * try {
 *   const steps = [];
 *   for await (const batch of trainingBatches({
 *     dataset, augment: { preset: "simclr-gray", size: 8 }, channels: 1, batchSize: 8,
 *     microStepsPerEpoch: 2, seed: 0, epochs: 1, workers: 0, prefetch: 1,
 *   })) {
 *     assert.equal(batch.views.length, 2 * 8 * 8 * 8); // 8 pairs of 8x8x1 views
 *     steps.push(batch.microStep);
 *   }
 *   assert.deepEqual(steps, [0, 1]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function trainingBatches(o: TrainingInputOptions): ReadableStream<Batch> {
  const startMicroStep = o.startMicroStep ?? 0;
  const perEpoch = o.microStepsPerEpoch;
  const startEpoch = Math.floor(startMicroStep / perEpoch);
  const startPosition = o.startPosition ?? (startMicroStep % perEpoch) * o.batchSize;
  const skips = o.skips ?? new SkipLog();
  const onError = o.onError ?? "fail";
  const worldSize = o.worldSize ?? 1;
  const samples = datasetSamples(o.dataset, {
    seed: o.seed,
    epochs: Math.max(0, o.epochs - startEpoch),
    startEpoch,
    startPosition,
    rank: o.rank ?? 0,
    worldSize,
    // several ranks: blocked split, so a step's global batch is the ranks' batches in rank
    // order, exactly as one process with the global batch reads it
    block: worldSize > 1 ? o.batchSize : undefined,
    onError,
    skips,
    shuffleBuffer: o.shuffleBuffer,
    // tar shards: this rank's share of the epoch (its shards may hold more)
    samplesPerEpoch: o.samplesPerEpoch === undefined
      ? undefined
      : Math.floor(o.samplesPerEpoch / worldSize),
    telemetry: o.telemetry,
  });
  const init: ViewWorkerInit = {
    augment: { ...o.augment, seed: o.seed },
    decoder: o.decoder,
    maxPixels: o.maxPixels,
    channels: o.channels,
    onError,
  };
  const augmented: ReadableStream<ViewPair | ViewFailure> = o.workers > 0
    ? samples.pipeThrough(
      parallelMap<IndexedSample, ViewPair | ViewFailure>(
        new URL("./view_worker.ts", import.meta.url),
        { workers: o.workers, init, name: "augment", telemetry: o.telemetry },
      ),
    )
    : samples.pipeThrough(inlineViews(init, o.telemetry));
  return augmented
    .pipeThrough(skipFailures<ViewPair>(skips, { name: "skip", telemetry: o.telemetry }))
    .pipeThrough(packBatches({
      size: o.batchSize,
      firstMicroStep: startMicroStep,
      perEpoch,
      endMicroStep: o.epochs * perEpoch,
      shortEpoch: (epoch, pairs) => shortEpochError(o, skips, epoch, pairs),
    }))
    .pipeThrough(prefetch<Batch>(o.prefetch, { name: "prefetch", telemetry: o.telemetry }));
}

/** Why an epoch gave fewer micro-batches than planned, and what to do. */
function shortEpochError(
  o: TrainingInputOptions,
  skips: SkipLog,
  epoch: number,
  pairs: number,
): DataError {
  const worldSize = o.worldSize ?? 1;
  const where = `epoch ${epoch + 1}${worldSize > 1 ? ` on rank ${o.rank ?? 0}` : ""}`;
  const needed = o.microStepsPerEpoch * o.batchSize;
  const skipped = skips.of(epoch);
  const problem = `${pairs === 0 ? "no" : pairs} usable samples, fewer than the ${needed} of ` +
    `the ${o.microStepsPerEpoch} micro-batches of ${o.batchSize} pairs planned for an epoch` +
    (skipped.count > 0
      ? ` (${skipped.count} bad samples skipped in it, e.g. ${skipped.examples[0]})`
      : "");
  const hints: string[] = [];
  const shards = o.dataset.kind === "shards";
  if (skipped.count > 0) hints.push(`fix or remove the bad samples${shards ? " or shards" : ""}`);
  if (shards) {
    const count = o.samplesPerEpoch === undefined ? "" : ` (${o.samplesPerEpoch})`;
    hints.push(
      `data.maxSamples${count} is the epoch size the plan counts: set it to the number of ` +
        `samples the shards hold` +
        (worldSize > 1
          ? `; each rank needs ${needed} from its shards: give the shards equal sizes and ` +
            `make their number a multiple of the ranks`
          : ""),
    );
  }
  return new DataError(where, problem, hints.join("; ") || undefined);
}

function inlineViews(init: ViewWorkerInit, telemetry?: Telemetry) {
  const mapper = createMapper(init);
  return map(async (s: IndexedSample) => (await mapper)(s), { name: "augment", telemetry });
}

/** The first `n` samples of a dataset (quick runs, `data.maxSamples`). */
export function limitDataset(dataset: IndexedDataset, n: number | undefined): IndexedDataset {
  if (n === undefined || n >= dataset.length) return dataset;
  return {
    name: `${dataset.name} (first ${n})`,
    length: n,
    classes: dataset.classes,
    get: (i) => dataset.get(i),
    close: () => dataset.close?.(),
  };
}
