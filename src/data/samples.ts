/** One stream of samples from whatever `openDataset` returned. */
import { type IndexedSample, indexedSamples, type IndexedSamplesOptions } from "./indexed.ts";
import type { OpenedDataset } from "./registry.ts";
import { tarSamples } from "./shards.ts";

/**
 * Options of {@link datasetSamples}.
 *
 * @example
 * ```ts
 * datasetSamples(opened, { seed: 42, epochs: 10, shuffleBuffer: 2000 });
 * ```
 */
export interface DatasetSamplesOptions extends IndexedSamplesOptions {
  /**
   * Tar shards: size of the shuffle buffer mixing an epoch's samples across its shards (default
   * 1000; 0: none); one per epoch, so epochs never mix (see {@link tarSamples}).
   */
  shuffleBuffer?: number;
  /** Tar shards: samples this rank takes from each epoch; the rest is not read (default: all). */
  samplesPerEpoch?: number;
}

/**
 * Samples in epoch order from an opened dataset: an indexed dataset through its epoch
 * permutation (split among ranks, resumable), tar shards shard by shard (shard order
 * per epoch from the seed, split among ranks by shard) through a shuffle buffer of the epoch
 * (resumable too: see {@link tarSamples}).
 *
 * @example
 * ```ts
 * const opened = await openDataset("fashion-mnist");
 * const samples = datasetSamples(opened, { seed: 42, epochs: 100, rank: 0, worldSize: 1 });
 * ```
 */
export function datasetSamples(
  opened: OpenedDataset,
  options: DatasetSamplesOptions,
): ReadableStream<IndexedSample> {
  if (opened.kind === "indexed") return indexedSamples(opened.dataset, options);
  return tarSamples({
    shards: opened.shards,
    seed: options.seed,
    shuffleShards: options.shuffle ?? true,
    shuffleBuffer: options.shuffle === false ? 0 : options.shuffleBuffer ?? 1000,
    samplesPerEpoch: options.samplesPerEpoch,
    epochs: options.epochs ?? Infinity,
    startEpoch: options.startEpoch,
    startPosition: options.startPosition,
    rank: options.rank,
    worldSize: options.worldSize,
    onError: options.onError,
    skips: options.skips,
    telemetry: options.telemetry,
    maxFileBytes: opened.maxFileBytes,
  });
}
