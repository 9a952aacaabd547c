/**
 * Random-access datasets and the stream that reads them in epoch order.
 */
import { epochOrder, type EpochOrderOptions } from "../streams/epochs.ts";
import { pullStage, type StageOptions } from "../streams/stage.ts";
import { DataError, type OnError, SkipLog } from "./errors.ts";
import { type SampleFailure, skipFailures } from "./skip_failures.ts";
import type { Sample } from "./sample.ts";

/**
 * A dataset with random access: `length` samples, `get(i)` for `0 <= i < length`.
 *
 * @example A dataset of one's own, read in epoch order
 * ```ts
 * import type { IndexedDataset, RawImage } from "@simclr/streams/data";
 * import { indexedSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny",
 *   length: 4,
 *   get: (i) => Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i), label: i % 2 }),
 * };
 * assert.equal((await ds.get(2)).key, "tiny[2]");
 * const read = await Array.fromAsync(indexedSamples(ds, { seed: 7, epochs: 1 }));
 * assert.deepEqual(read.map((s) => s.index).sort(), [0, 1, 2, 3]);
 * ```
 */
export interface IndexedDataset<T extends Sample = Sample> {
  /** Where the data comes from (a path, or a name), for messages. */
  readonly name: string;
  /** Number of samples. */
  readonly length: number;
  /** Class names by label index, when known. */
  readonly classes?: readonly string[];
  /** The sample at `index` (`0 <= index < length`). */
  get(index: number): Promise<T>;
  /** Releases open files. */
  close?(): void;
}

/**
 * A sample with its place in the epoch order (the augmentation RNG keys on these).
 *
 * @example Each sample knows its epoch, dataset index and position
 * ```ts
 * import type { IndexedDataset, IndexedSample, RawImage } from "@simclr/streams/data";
 * import { indexedSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny",
 *   length: 4,
 *   get: (i) => Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i), label: i % 2 }),
 * };
 * const read: IndexedSample<RawImage>[] = await Array.fromAsync(indexedSamples(ds, { seed: 1, epochs: 2 }));
 * assert.deepEqual(read.map((s) => s.epoch), [0, 0, 0, 0, 1, 1, 1, 1]);
 * assert.deepEqual(read.map((s) => s.position), [0, 1, 2, 3, 0, 1, 2, 3]);
 * for (const s of read) assert.equal(s.key, `tiny[${s.index}]`);
 * ```
 */
export type IndexedSample<T extends Sample = Sample> = T & {
  /** Epoch (0-based). */
  epoch: number;
  /** Global index of the sample in the dataset. */
  index: number;
  /** Position in this rank's part of the epoch (resume point). */
  position: number;
};

/**
 * Options of {@link indexedSamples}: the epoch order (length comes from the dataset).
 *
 * @example Two ranks read disjoint halves of each epoch
 * ```ts
 * import type { IndexedDataset, IndexedSamplesOptions, RawImage } from "@simclr/streams/data";
 * import { indexedSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny",
 *   length: 4,
 *   get: (i) => Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i), label: i % 2 }),
 * };
 * const parts = await Promise.all([0, 1].map(async (rank) => {
 *   const options: IndexedSamplesOptions = { seed: 42, epochs: 1, rank, worldSize: 2, onError: "skip" };
 *   return (await Array.fromAsync(indexedSamples(ds, options))).map((s) => s.index);
 * }));
 * assert.deepEqual(parts.map((p) => p.length), [2, 2]);
 * assert.deepEqual(parts.flat().sort(), [0, 1, 2, 3]);
 * ```
 */
export interface IndexedSamplesOptions extends Omit<EpochOrderOptions, "length"> {
  /** `"fail"` (default): a bad sample errors the stream; `"skip"`: it is counted and dropped. */
  onError?: OnError;
  /** Where skips are counted and reported at the end of each epoch (default: console.warn). */
  skips?: SkipLog;
}

/**
 * Reads an indexed dataset in epoch order (a permutation per epoch from `(seed, epoch)`,
 * this rank's part, from a resume point), tagging each sample with `epoch`, `index` and
 * `position`.
 *
 * @throws {DataError} For an empty dataset; the stream errors with the dataset's error for a
 * bad sample under `onError: "fail"`.
 *
 * @example Each epoch is a permutation; a resume point continues the same order
 * ```ts
 * import type { IndexedDataset, RawImage } from "@simclr/streams/data";
 * import { indexedSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny",
 *   length: 4,
 *   get: (i) => Promise.resolve({ key: `tiny[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(i), label: i % 2 }),
 * };
 * const full = (await Array.fromAsync(indexedSamples(ds, { seed: 42, epochs: 2 }))).map((s) => s.index);
 * assert.deepEqual(full.slice(0, 4).sort(), [0, 1, 2, 3]);
 * assert.deepEqual(full.slice(4).sort(), [0, 1, 2, 3]);
 * const resumed = indexedSamples(ds, { seed: 42, epochs: 1, startEpoch: 1, startPosition: 1 });
 * assert.deepEqual((await Array.fromAsync(resumed)).map((s) => s.index), full.slice(5));
 * ```
 */
export function indexedSamples<T extends Sample>(
  dataset: IndexedDataset<T>,
  options: IndexedSamplesOptions,
): ReadableStream<IndexedSample<T>> {
  if (dataset.length === 0) {
    throw new DataError(dataset.name, "the dataset is empty (0 samples)");
  }
  const order = epochOrder({ ...options, length: dataset.length, name: "order" });
  const onError = options.onError ?? "fail";
  const stageOptions: StageOptions = { name: options.name ?? "read", telemetry: options.telemetry };
  const stage = pullStage<
    { epoch: number; index: number; position: number },
    IndexedSample<T> | SampleFailure
  >(
    "read",
    stageOptions,
    0,
    (up) => ({
      async pull(c) {
        const r = await up.read();
        if (r.done) {
          dataset.close?.();
          return c.close();
        }
        const { epoch, index, position } = r.value;
        try {
          const sample = await dataset.get(index);
          c.enqueue({ ...sample, epoch, index, position });
        } catch (error) {
          if (onError === "fail") {
            dataset.close?.();
            throw error;
          }
          const failed = error instanceof Error ? error.message : String(error);
          c.enqueue({ failed, key: `${dataset.name}[${index}]`, epoch });
        }
      },
      cancel() {
        dataset.close?.();
      },
    }),
  );
  order.pipeTo(stage.writable).catch(() => {});
  return stage.readable.pipeThrough(skipFailures<IndexedSample<T>>(options.skips ?? new SkipLog()));
}
