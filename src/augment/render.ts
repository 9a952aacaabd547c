/** Views back to bytes, for reports that show example pairs. */

import type { RawImage } from "../data/sample.ts";
import { denormalize } from "./normalize.ts";
import type { ViewPair } from "./view_pair.ts";

/**
 * Both views of a pair as RawImages (undoing `mean`/`std`), keyed `key#1` and `key#2`.
 *
 * @param pair A pair from {@link pairedViews}.
 * @param norm The `mean` and `std` the views were normalized with (e.g. the resolved spec).
 * @returns The two views as 8-bit HWC images.
 *
 * @example Look at a pair's views as images
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedViews, pairToImages, resolveAugment } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 6,
 *   height: 4,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256),
 *   label: 2,
 * };
 * const spec = resolveAugment({ preset: "simclr-cifar", size: 8 });
 * const pair = pairedViews(spec, 0)(image, 0, 0);
 * const [a, b] = pairToImages(pair, spec);
 * assert.deepEqual([a.key, b.key], ["img0#1", "img0#2"]);
 * assert.equal(a.data.length, 8 * 8 * 3);
 * assert.ok(a.data instanceof Uint8Array);
 * ```
 */
export function pairToImages(
  pair: ViewPair,
  norm: { mean: readonly number[]; std: readonly number[] },
): [RawImage, RawImage] {
  const image = (view: Float32Array, n: number): RawImage => {
    const out: RawImage = {
      key: `${pair.key}#${n}`,
      width: pair.size,
      height: pair.size,
      channels: pair.channels,
      data: denormalize(view, pair.channels, norm.mean, norm.std),
    };
    if (pair.label !== undefined) out.label = pair.label;
    return out;
  };
  return [image(pair.view1, 1), image(pair.view2, 2)];
}
