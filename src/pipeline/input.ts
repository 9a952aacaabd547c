/**
 * The training input as one stream: epoch order -> read -> decode + paired augmentation in a
 * worker pool (ordered) -> batches of whole epochs -> prefetch. Generic stages come from
 * `src/streams`, sources from `src/data`, views from `src/augment`.
 */
import type { PairedViewsConfig } from "../augment/paired.ts";
import type { ViewPair } from "../augment/view_pair.ts";
import type { DecoderName } from "../data/decoders.ts";
import { SkipLog } from "../data/errors.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import type { OpenedDataset } from "../data/registry.ts";
import { skipFailures } from "../data/skip_failures.ts";
import { datasetSamples } from "../data/samples.ts";
import { map } from "../streams/map.ts";
import { parallelMap } from "../streams/parallel_map.ts";
import { prefetch } from "../streams/prefetch.ts";
import type { Telemetry } from "../streams/telemetry.ts";
import type { Batch } from "../train/batch.ts";
import { packBatches } from "./pack_batches.ts";
import {
  createMapper,
  type OrderedSample,
  type ViewFailure,
  type ViewWorkerInit,
} from "./view_worker.ts";

/** Options of {@link trainingBatches}. */
export interface TrainingInputOptions {
  dataset: OpenedDataset;
  augment: PairedViewsConfig;
  /** Channels the model takes. */
  channels: 1 | 3;
  /** Pairs per batch on this process. */
  batchSize: number;
  /** Batches per epoch on this process (the schedule's unit). */
  stepsPerEpoch: number;
  seed: number;
  epochs: number;
  /** First `Batch.step` to produce (resume: the step after the checkpoint's). */
  startStep?: number;
  /** Augmentation workers (0: on this thread). */
  workers: number;
  /** Batches queued ahead of the trainer. */
  prefetch: number;
  /** Shuffle buffer for tar shards. */
  shuffleBuffer?: number;
  onError?: "fail" | "skip";
  decoder?: DecoderName;
  /** This rank and the number of ranks (each reads its blocked part of every epoch). */
  rank?: number;
  worldSize?: number;
  telemetry?: Telemetry;
  /** Where skipped samples are counted (default: a log that warns once per epoch). */
  skips?: SkipLog;
}

/** The training batches, from `startStep` to the end of the last epoch. */
export function trainingBatches(o: TrainingInputOptions): ReadableStream<Batch> {
  const startStep = o.startStep ?? 0;
  const startEpoch = Math.floor(startStep / o.stepsPerEpoch);
  const startPosition = (startStep % o.stepsPerEpoch) * o.batchSize;
  const skips = o.skips ?? new SkipLog();
  const onError = o.onError ?? "fail";
  const samples = datasetSamples(o.dataset, {
    seed: o.seed,
    epochs: o.epochs,
    startEpoch,
    startPosition,
    rank: o.rank ?? 0,
    worldSize: o.worldSize ?? 1,
    // several ranks: blocked split, so a step's global batch is the ranks' batches in rank
    // order, exactly as one process with the global batch reads it
    block: (o.worldSize ?? 1) > 1 ? o.batchSize : undefined,
    onError,
    skips,
    shuffleBuffer: o.shuffleBuffer,
    telemetry: o.telemetry,
  }) as ReadableStream<OrderedSample>;
  const init: ViewWorkerInit = {
    augment: { ...o.augment, seed: o.seed },
    decoder: o.decoder,
    channels: o.channels,
    onError,
  };
  const augmented: ReadableStream<ViewPair | ViewFailure> = o.workers > 0
    ? samples.pipeThrough(
      parallelMap<OrderedSample, ViewPair | ViewFailure>(
        new URL("./view_worker.ts", import.meta.url),
        { workers: o.workers, init, name: "augment", telemetry: o.telemetry },
      ),
    )
    : samples.pipeThrough(inlineViews(init, o.telemetry));
  return augmented
    .pipeThrough(skipFailures<ViewPair>(skips, { name: "skip", telemetry: o.telemetry }))
    .pipeThrough(packBatches({ size: o.batchSize, firstStep: startStep }))
    .pipeThrough(prefetch<Batch>(o.prefetch, { name: "prefetch", telemetry: o.telemetry }));
}

function inlineViews(init: ViewWorkerInit, telemetry?: Telemetry) {
  const mapper = createMapper(init);
  return map(async (s: OrderedSample) => (await mapper)(s), { name: "augment", telemetry });
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
