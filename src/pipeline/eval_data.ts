/**
 * Labelled, un-augmented images for evaluation: each image cropped as `eval.crop` says (the
 * whole image, or SimCLR's centre crop), resized to the view size and normalized like the
 * training views, read in index order and batched for feature extraction.
 */
import { resolveAugment } from "../augment/presets.ts";
import type { AugmentOptions } from "../augment/presets.ts";
import { finishView } from "../augment/finish.ts";
import { floatImage } from "../augment/image.ts";
import { centerCropBox, type CropBox } from "../augment/crop.ts";
import { resizedCrop, ResizeWorkspace } from "../augment/resize.ts";
import { convertChannels, decodeSample, type ImageDecoder } from "../data/decoder.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import { isEncoded, type RawImage } from "../data/sample.ts";
import type { ImageBatchLike } from "../eval/features.ts";

/**
 * What part of an image is evaluated. `whole`: the whole image resized to S x S (its aspect is
 * not kept). `center`: the central square of `cropProportion` of the shorter side, resized to
 * S x S. `simclr`: google-research/simclr's rule, `center` when S > 32, else `whole` (its CIFAR
 * images are already S x S).
 *
 * @example
 * ```ts
 * const crop: EvalCrop = "simclr";
 * ```
 */
export type EvalCrop = "whole" | "center" | "simclr";

/**
 * The region of a `width` x `height` image that evaluation resizes to `size` x `size`.
 *
 * @example
 * ```ts
 * evalCropBox(500, 375, 224, "simclr", 0.875); // { top: 24, left: 86, height: 328, width: 328 }
 * ```
 */
export function evalCropBox(
  width: number,
  height: number,
  size: number,
  crop: EvalCrop,
  proportion: number,
): CropBox {
  switch (crop) {
    case "whole":
      return { top: 0, left: 0, width, height };
    case "center":
      return centerCropBox(width, height, proportion);
    case "simclr":
      return size > 32 ? centerCropBox(width, height, proportion) : evalCropBox(
        width,
        height,
        size,
        "whole",
        proportion,
      );
    default:
      throw new RangeError(`eval crop '${crop}' must be whole, center or simclr`);
  }
}

/** Options of {@link evalBatches}. */
export interface EvalBatchOptions {
  augment: AugmentOptions;
  channels: 1 | 3;
  /** Indices of the dataset to read, in order. */
  indices: ArrayLike<number>;
  /** Images per batch handed to feature extraction (default 256). */
  batchSize?: number;
  decoder: ImageDecoder;
  /** `whole` (default), `center` or `simclr`: see {@link EvalCrop}. */
  crop?: EvalCrop;
  /** Share of the shorter side the centre crop keeps (default 0.875, ImageNet's standard). */
  cropProportion?: number;
}

/** Batches of normalized whole images with their labels. */
export async function* evalBatches(
  dataset: IndexedDataset,
  o: EvalBatchOptions,
): AsyncGenerator<ImageBatchLike> {
  const spec = resolveAugment(o.augment);
  const S = spec.size, C = o.channels, per = S * S * C;
  const B = o.batchSize ?? 256;
  const crop = o.crop ?? "whole", proportion = o.cropProportion ?? 0.875;
  evalCropBox(64, 64, S, crop, proportion); // checks the options before any image is read
  const ws = new ResizeWorkspace();
  for (let start = 0; start < o.indices.length; start += B) {
    const n = Math.min(B, o.indices.length - start);
    const views = new Float32Array(n * per);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const sample = await dataset.get(o.indices[start + i]);
      let image: RawImage = isEncoded(sample) ? await decodeSample(o.decoder, sample, C) : sample;
      if (image.channels !== C) image = { ...image, ...convertChannels(image, C) } as RawImage;
      const out = floatImage(S, S, C, views.subarray(i * per, (i + 1) * per));
      const box = evalCropBox(image.width, image.height, S, crop, proportion);
      resizedCrop(image, box, S, out, false, ws);
      finishView(out, false, null, spec.mean, spec.std);
      labels[i] = image.label ?? -1;
    }
    yield { views, height: S, width: S, channels: C, count: n, labels };
  }
}

/** `0, 1, ..., n-1` (or every index for which `keep` holds). */
export function indexRange(n: number, keep?: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!keep || keep(i)) out.push(i);
  return Int32Array.from(out);
}
