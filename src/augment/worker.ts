/** The worker-pool entry: `createMapper(init)` as `parallelMap` expects of a worker module. */

import type { RawImage } from "../data/sample.ts";
import { pairedViews, type PairedViewsConfig } from "./paired.ts";
import type { ViewPair } from "./view_pair.ts";

/**
 * One unit of work for a worker: the image and its RNG key.
 *
 * @example
 * ```ts
 * const item: AugmentItem = { image, epoch: 0, index: 12 };
 * ```
 */
export interface AugmentItem {
  /** The decoded image. */
  image: RawImage;
  /** Epoch number (part of the RNG key). */
  epoch: number;
  /** Global index of the sample in the epoch's order (part of the RNG key). */
  index: number;
}

/**
 * Builds the mapper inside a worker from structured-clonable config.
 *
 * @example
 * ```ts
 * const map = createMapper({ preset: "simclr-cifar", seed: 1 });
 * const pair = map({ image, epoch: 0, index: 3 });
 * ```
 */
export function createMapper(init: PairedViewsConfig): (item: AugmentItem) => ViewPair {
  const views = pairedViews(init);
  return (item) => views(item.image, item.epoch, item.index);
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
