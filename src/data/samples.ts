/** One stream of samples from whatever `openDataset` returned. */
import { type IndexedSample, indexedSamples, type IndexedSamplesOptions } from "./indexed.ts";
import type { OpenedDataset } from "./registry.ts";
import { tarSamples } from "./shards.ts";

/**
 * Options of {@link datasetSamples}.
 *
 * @example Two epochs of an image folder
 * ```ts
 * import type { DatasetSamplesOptions } from "@simclr/streams/data";
 * import { datasetSamples, openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/a`);
 * for (const f of ["1.png", "2.png", "3.png"]) await Deno.writeFile(`${root}/a/${f}`, new Uint8Array(8));
 * const options: DatasetSamplesOptions = { seed: 42, epochs: 2, shuffleBuffer: 100 };
 * const samples = await Array.fromAsync(datasetSamples(await openDataset("imagefolder", { path: root }), options));
 * assert.deepEqual(samples.map((s) => s.epoch), [0, 0, 0, 1, 1, 1]);
 * await Deno.remove(root, { recursive: true });
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
 * @example An image folder, read and decoded
 * ```ts
 * import { createDecoder, datasetSamples, isEncoded, openDataset, samplePixels } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/red`);
 * await Deno.mkdir(`${root}/blue`);
 * await Deno.writeFile(`${root}/red/1.png`, await new Image(2, 2).fill(0xff0000ff).encode());
 * await Deno.writeFile(`${root}/blue/1.png`, await new Image(2, 2).fill(0x0000ffff).encode());
 * const opened = await openDataset("imagefolder", { path: root });
 * const decoder = await createDecoder();
 * const seen = new Map<number, number[]>();
 * for await (const s of datasetSamples(opened, { seed: 42, epochs: 1, rank: 0, worldSize: 1 })) {
 *   assert.ok(isEncoded(s));
 *   const image = await samplePixels(decoder, s, 3);
 *   seen.set(s.label!, [...image.data.subarray(0, 3)]);
 * }
 * assert.deepEqual(seen, new Map([[0, [0, 0, 255]], [1, [255, 0, 0]]])); // classes sorted: blue, red
 * await Deno.remove(root, { recursive: true });
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
