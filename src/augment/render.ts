/** Views back to bytes, for reports that show example pairs. */

import type { RawImage } from "../data/sample.ts";
import { denormalize } from "./normalize.ts";
import type { ViewPair } from "./view_pair.ts";

/**
 * Both views of a pair as RawImages (undoing `mean`/`std`), keyed `key#1` and `key#2`.
 *
 * @example
 * ```ts
 * const spec = resolveAugment("simclr-cifar");
 * const [a, b] = pairToImages(pair, spec); // a.data: Uint8Array HWC
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
