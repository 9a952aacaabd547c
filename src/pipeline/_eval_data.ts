/**
 * Labelled, un-augmented images for evaluation: each image cropped as `eval.crop` says (the
 * whole image, or a centre crop), resized to the view size and normalized like the training
 * views (`evalView`), read in index order and batched for feature extraction.
 */
import { resolveAugment } from "../augment/presets.ts";
import type { AugmentOptions } from "../augment/presets.ts";
import { evalCropBox } from "../augment/_eval_crop.ts";
import { type EvalCrop, evalView } from "../augment/eval_view.ts";
import { ResizeWorkspace } from "../augment/resize.ts";
import { type ImageDecoder, samplePixels } from "../data/decoder.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import type { ImageBatchLike } from "../eval/features.ts";

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
  /**
   * `data.onError: skip`: a sample that cannot be read or decoded is left out of its batch and
   * passed here (its dataset index and the error, which names it). Without it, it throws.
   */
  onBad?: (index: number, error: Error) => void;
}

/** Batches of evaluation views (see `evalView`) with their labels. */
export async function* evalBatches(
  dataset: IndexedDataset,
  o: EvalBatchOptions,
): AsyncGenerator<ImageBatchLike> {
  const spec = resolveAugment(o.augment);
  const S = spec.size, C = o.channels, per = S * S * C;
  const B = o.batchSize ?? 256;
  const view = { ...spec, crop: o.crop, cropProportion: o.cropProportion };
  evalCropBox(64, 64, S, view.crop, view.cropProportion); // checks them before any image is read
  const ws = new ResizeWorkspace();
  for (let start = 0; start < o.indices.length; start += B) {
    const n = Math.min(B, o.indices.length - start);
    const views = new Float32Array(n * per);
    const labels = new Int32Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const index = o.indices[start + i];
      let image;
      try {
        image = await samplePixels(o.decoder, await dataset.get(index), C);
      } catch (err) {
        if (!o.onBad) throw err;
        o.onBad(index, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      evalView(image, view, views.subarray(count * per, (count + 1) * per), ws);
      labels[count++] = image.label ?? -1;
    }
    if (count > 0) {
      yield { views, height: S, width: S, channels: C, count, labels: labels.subarray(0, count) };
    }
  }
}

/** `0, 1, ..., n-1` (or every index for which `keep` holds). */
export function indexRange(n: number, keep?: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!keep || keep(i)) out.push(i);
  return Int32Array.from(out);
}
