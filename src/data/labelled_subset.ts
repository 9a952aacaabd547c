/**
 * The labelled subset of few-label fine-tuning (SimCLR's 1% and 10% protocols): how many labels
 * a spec such as `1%`, `10%` or `600` asks for, the labels of a dataset, a class-balanced draw by
 * seed among the labelled samples, and a dataset restricted to the drawn indices.
 */
import { balancedSubset } from "./balanced_subset.ts";
import type { IndexedDataset } from "./indexed.ts";

/**
 * The number of samples a labels spec asks for out of `labelled` labelled samples: `P%` is
 * `round(P / 100 x labelled)`, a plain integer is itself. Throws a `RangeError` for a malformed
 * spec, for none, or for more than there are.
 *
 * @example
 * ```ts
 * labelCount("1%", 60000); // 600
 * labelCount("250", 60000); // 250
 * ```
 */
export function labelCount(spec: string, labelled: number): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(spec.trim());
  if (!m) {
    throw new RangeError(
      `labels '${spec}': give a share such as 1% or 10%, or a count such as 600`,
    );
  }
  const value = Number(m[1]);
  const n = m[2] ? Math.round((value / 100) * labelled) : value;
  if (m[2] && value > 100) throw new RangeError(`labels '${spec}': a share is at most 100%`);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `labels '${spec}' selects ${n} of the ${labelled} labelled samples: ask for at least one`,
    );
  }
  if (n > labelled) {
    throw new RangeError(`labels '${spec}': the split has only ${labelled} labelled samples`);
  }
  return n;
}

/**
 * The label of every sample (`-1` where a sample has none): an image folder's listing when the
 * dataset carries one (`labels`), else each sample's `label`, read in index order.
 *
 * @example
 * ```ts
 * const labels = await datasetLabels(await idxDataset({ images, labels: labelFile }));
 * ```
 */
export async function datasetLabels(ds: IndexedDataset): Promise<Int32Array> {
  const listed = (ds as { labels?: ArrayLike<number | undefined> }).labels;
  const out = new Int32Array(ds.length);
  for (let i = 0; i < ds.length; i++) {
    out[i] = listed ? listed[i] ?? -1 : (await ds.get(i)).label ?? -1;
  }
  return out;
}

/**
 * `count` indices of labelled samples (label >= 0), class-balanced and drawn by `seed` (see
 * `balancedSubset`: each class gets `floor(count / classes)` or one more unless it has fewer),
 * in ascending order: the same subset for the same labels, count and seed.
 *
 * @example
 * ```ts
 * const picked = labelledSubset(labels, labelCount("1%", labels.length), 0);
 * ```
 */
export function labelledSubset(labels: ArrayLike<number>, count: number, seed: number): Int32Array {
  const labelled: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) labelled.push(i);
  const picked = balancedSubset(labelled.map((i) => labels[i]), count, seed);
  return Int32Array.from(picked, (j) => labelled[j]);
}

/**
 * The samples of `ds` at `indices`, as a dataset of `indices.length` samples (keys and labels
 * are the original samples').
 *
 * @example
 * ```ts
 * const few = subsetDataset(train, picked); // few.get(0) is train.get(picked[0])
 * ```
 */
export function subsetDataset(ds: IndexedDataset, indices: Int32Array): IndexedDataset {
  for (const i of indices) {
    if (!(i >= 0 && i < ds.length)) {
      throw new RangeError(`subset index ${i} is outside ${ds.name} (0..${ds.length - 1})`);
    }
  }
  return {
    name: `${ds.name} (${indices.length} selected)`,
    length: indices.length,
    classes: ds.classes,
    get: (i) => {
      if (!(i >= 0 && i < indices.length)) {
        return Promise.reject(
          new RangeError(`subset of ${ds.name}: index ${i} outside 0..${indices.length - 1}`),
        );
      }
      return ds.get(indices[i]);
    },
    close: () => ds.close?.(),
  };
}
