/** Paired SimCLR views of one image, keyed by `(seed, epoch, index)`. */

import type { RawImage } from "../data/sample.ts";
import { checkRawImage } from "./image.ts";
import { type AugmentOptions, type AugmentSpec, resolveAugment } from "./presets.ts";
import { rngFor } from "../streams/rng.ts";
import type { ViewPair } from "./view_pair.ts";
import { augmentView, ViewWorkspace } from "./view.ts";

/**
 * A preset plus overrides and the seed: plain data, safe to post to a worker.
 *
 * @example
 * ```ts
 * const config: PairedViewsConfig = { preset: "simclr-v1", size: 96, blur: false, seed: 7 };
 * ```
 */
export interface PairedViewsConfig extends AugmentOptions {
  /** Run seed: with epoch and sample index, the whole RNG key (default 0). */
  seed?: number;
}

/**
 * Turns one image (with its epoch and global sample index) into two views.
 *
 * @example
 * ```ts
 * const map: PairMapper = pairedViews("simclr-cifar", 1);
 * ```
 */
export type PairMapper = (image: RawImage, epoch: number, index: number) => ViewPair;

/**
 * A synchronous mapper from images to view pairs. Both views' random choices come from the
 * generator of `(seed, epoch, index)` alone (view 1 first), so results do not depend on the
 * worker count or order. Each pair gets fresh buffers (transferable); scratch is reused.
 *
 * @example
 * ```ts
 * const views = pairedViews({ preset: "simclr-cifar" }, 42);
 * const pair = views(image, 0, 17); // pair.view1, pair.view2: 32*32*3 floats each
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
