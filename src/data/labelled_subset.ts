/**
 * The labelled subset of few-label fine-tuning (SimCLR's 1% and 10% protocols): how many labels
 * a spec such as `1%`, `10%` or `600` asks for, the labels of a dataset, a class-balanced draw by
 * seed among the labelled samples, and a dataset restricted to the drawn indices.
 */
import { balancedSubset } from "./_balanced_subset.ts";
import type { IndexedDataset } from "./indexed.ts";

/**
 * The number of samples a labels spec asks for out of `labelled` labelled samples: `P%` is
 * `round(P / 100 x labelled)`, a plain integer is itself. Throws a `RangeError` for a malformed
 * spec, for none, or for more than there are.
 *
 * @example Shares and counts
 * ```ts
 * import { labelCount } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.equal(labelCount("1%", 60000), 600);
 * assert.equal(labelCount("250", 60000), 250);
 * assert.throws(() => labelCount("70000", 60000), RangeError); // more than there are
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
 * @example Labels of a small dataset, one sample unlabelled
 * ```ts
 * import type { IndexedDataset, RawImage } from "@simclr/streams/data";
 * import { datasetLabels } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const ds: IndexedDataset<RawImage> = {
 *   name: "tiny",
 *   length: 3,
 *   get: (i) => Promise.resolve({ key: `t[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(0), label: i < 2 ? 5 - i : undefined }),
 * };
 * assert.deepEqual([...await datasetLabels(ds)], [5, 4, -1]);
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
 * @example Four labelled samples out of two balanced classes
 * ```ts
 * import { labelledSubset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const labels = Int32Array.of(0, 0, 0, 1, 1, 1, -1, -1);
 * const picked = labelledSubset(labels, 4, 0);
 * assert.equal(picked.length, 4);
 * assert.deepEqual([...picked].map((i) => labels[i]).sort(), [0, 0, 1, 1]);
 * assert.deepEqual(picked, labelledSubset(labels, 4, 0)); // same seed, same subset
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
 * @throws {RangeError} For an index outside `ds`.
 *
 * @example The few-label fine-tuning set: 1% of the labels, class-balanced
 * ```ts
 * import type { IndexedDataset, RawImage } from "@simclr/streams/data";
 * import { datasetLabels, labelCount, labelledSubset, subsetDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const train: IndexedDataset<RawImage> = {
 *   name: "train",
 *   length: 400,
 *   get: (i) => Promise.resolve({ key: `train[${i}]`, width: 1, height: 1, channels: 1, data: Uint8Array.of(0), label: i % 4 }),
 * };
 * const labels = await datasetLabels(train);
 * const picked = labelledSubset(labels, labelCount("1%", labels.length), 0);
 * const few = subsetDataset(train, picked);
 * assert.equal(few.length, 4);
 * assert.equal((await few.get(0)).key, `train[${picked[0]}]`);
 * assert.deepEqual((await Promise.all([0, 1, 2, 3].map((i) => few.get(i)))).map((s) => s.label).sort(), [0, 1, 2, 3]);
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
