/** Paired SimCLR views of one image, keyed by `(seed, epoch, index)`. */

import type { RawImage } from "../data/sample.ts";
import { checkRawImage } from "./_image.ts";
import { type AugmentOptions, type AugmentSpec, resolveAugment } from "./presets.ts";
import { rngFor } from "../streams/rng.ts";
import type { ViewPair } from "./view_pair.ts";
import { augmentView, ViewWorkspace } from "./view.ts";

/**
 * A preset plus overrides and the seed: plain data, safe to post to a worker.
 *
 * @example A seeded preset with overrides
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedViews, type PairedViewsConfig } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 6,
 *   height: 4,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256),
 *   label: 2,
 * };
 * const config: PairedViewsConfig = { preset: "simclr-v1", size: 8, blur: false, seed: 7 };
 * const structured = structuredClone(config); // plain data: it can be posted to a worker
 * assert.deepEqual(pairedViews(structured)(image, 1, 3), pairedViews(config)(image, 1, 3));
 * ```
 */
export interface PairedViewsConfig extends AugmentOptions {
  /** Run seed: with epoch and sample index, the whole RNG key (default 0). */
  seed?: number;
}

/**
 * Turns one image (with its epoch and global sample index) into two views.
 *
 * @example Map a list of images to pairs
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PairMapper, pairedViews } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 6,
 *   height: 4,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256),
 *   label: 2,
 * };
 * const map: PairMapper = pairedViews({ preset: "simclr-cifar", size: 4 }, 1);
 * const pairs = [image, { ...image, key: "img1" }].map((img, i) => map(img, 0, i));
 * assert.deepEqual(pairs.map((p) => p.key), ["img0", "img1"]);
 * ```
 */
export type PairMapper = (image: RawImage, epoch: number, index: number) => ViewPair;

/**
 * A synchronous mapper from images to view pairs: the training pipeline's augmentation stage,
 * run in the worker pool. Both views' random choices come from the generator of
 * `(seed, epoch, index)` alone (view 1 first), so results do not depend on the worker count or
 * order. Each pair gets fresh buffers (transferable); scratch is reused.
 *
 * @param config A preset name, or a preset, overrides and seed (see {@link resolveAugment}).
 * @param seed The run seed (default `config.seed`, else 0).
 * @returns A function from `(image, epoch, index)` to a {@link ViewPair}.
 * @throws {RangeError} For an unknown preset or option, or a value out of range.
 *
 * @example The same key gives the same views; another index, others
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedViews } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 6,
 *   height: 4,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256),
 *   label: 2,
 * };
 * const views = pairedViews({ preset: "simclr-cifar", size: 8 }, 42);
 * const pair = views(image, 0, 17);
 * assert.equal(pair.view1.length, 8 * 8 * 3);
 * assert.notDeepEqual(pair.view1, pair.view2);
 * assert.deepEqual(views(image, 0, 17), pair);
 * assert.notDeepEqual(views(image, 0, 18).view1, pair.view1);
 * ```
 */
export function pairedViews(
  config: string | PairedViewsConfig = {},
  seed?: number,
): PairMapper {
  const spec: AugmentSpec = resolveAugment(config);
  const s = seed ?? (typeof config === "string" ? undefined : config.seed) ?? 0;
  rngFor(s); // validates the seed now rather than on the first image
  const ws = new ViewWorkspace();
  return (image: RawImage, epoch: number, index: number): ViewPair => {
    checkRawImage(image);
    const rng = rngFor(s, epoch, index);
    const n = spec.size * spec.size * image.channels;
    const view1 = augmentView(image, spec, rng, new Float32Array(n), ws);
    const view2 = augmentView(image, spec, rng, new Float32Array(n), ws);
    const pair: ViewPair = {
      key: image.key,
      size: spec.size,
      channels: image.channels,
      view1,
      view2,
      index,
      epoch,
    };
    if (image.label !== undefined) pair.label = image.label;
    return pair;
  };
}
