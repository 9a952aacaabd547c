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
 * @example
 * ```ts
 * const ds: IndexedDataset = await idxDataset({ images, labels });
 * const first = await ds.get(0);
 * ```
 */
export interface IndexedDataset<T extends Sample = Sample> {
  /** Where the data comes from (a path, or a name), for messages. */
  readonly name: string;
  readonly length: number;
  /** Class names by label index, when known. */
  readonly classes?: readonly string[];
  get(index: number): Promise<T>;
  /** Releases open files. */
  close?(): void;
}

/**
 * A sample with its place in the epoch order (the augmentation RNG keys on these).
 *
 * @example
 * ```ts
 * for await (const s of indexedSamples(ds, { seed: 1, epochs: 1 })) console.log(s.key, s.epoch, s.index, s.position);
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
 * @example
 * ```ts
 * const opts: IndexedSamplesOptions = { seed: 42, epochs: 10, rank: 0, worldSize: 2, onError: "skip" };
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
 * @example
 * ```ts
 * const samples = indexedSamples(dataset, { seed: 42, epochs: 10, rank: 0, worldSize: 1 });
 * for await (const s of samples) console.log(s.key, s.epoch, s.index);
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
