/** The worker-pool entry: `createMapper(init)` as `parallelMap` expects of a worker module. */

import type { RawImage } from "../data/sample.ts";
import { pairedViews, type PairedViewsConfig } from "./paired.ts";
import type { ViewPair } from "./view_pair.ts";

/**
 * One unit of work for a worker: the image and its RNG key, either nested (`{ image, epoch,
 * index }`) or flat, as the data sources tag decoded samples (`RawImage & { epoch, index }`).
 *
 * @example
 * ```ts
 * const nested: AugmentItem = { image, epoch: 0, index: 12 };
 * const flat: AugmentItem = { ...image, epoch: 0, index: 12 };
 * ```
 */
export type AugmentItem =
  | {
    /** The decoded image. */
    image: RawImage;
    /** Epoch number (part of the RNG key). */
    epoch: number;
    /** Global index of the sample in the dataset (part of the RNG key). */
    index: number;
  }
  | (RawImage & { epoch: number; index: number });

/**
 * Builds the mapper inside a worker from structured-clonable config: the factory that
 * `parallelMap` calls in each worker of its pool.
 *
 * @example
 * ```ts
 * const map = createMapper({ preset: "simclr-cifar", seed: 1 });
 * const pair = map({ image, epoch: 0, index: 3 });
 * // or, in the pipeline: parallelMap(new URL("./src/augment/worker.ts", base), { init })
 * ```
 */
export function createMapper(init: PairedViewsConfig): (item: AugmentItem) => ViewPair {
  const views = pairedViews(init);
  return (item) => {
    const image: RawImage = "image" in item ? item.image : item;
    if (!(image && "data" in image)) {
      throw new TypeError(
        `augment worker: item ${describe(item)} has no decoded pixels; decode samples ` +
          `(src/data) before augmenting, or pass { image, epoch, index }`,
      );
    }
    return views(image, item.epoch, item.index);
  };
}

function describe(item: unknown): string {
  const key = (item as { key?: unknown })?.key;
  return typeof key === "string" ? `'${key}'` : "(no key)";
}

/**
 * The buffers of a pair, to hand to `postMessage` as transferables.
 *
 * @example
 * ```ts
 * postMessage(pair, transferablesOf(pair));
 * ```
 */
export function transferablesOf(pair: ViewPair): ArrayBuffer[] {
  return [pair.view1.buffer as ArrayBuffer, pair.view2.buffer as ArrayBuffer];
}
