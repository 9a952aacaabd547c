import assert from "node:assert/strict";
import type { IndexedDataset } from "../../src/data/indexed.ts";
import {
  datasetLabels,
  labelCount,
  labelledSubset,
  subsetDataset,
} from "../../src/data/labelled_subset.ts";
import type { RawImage } from "../../src/data/sample.ts";

Deno.test("labelCount: shares of the labelled samples and plain counts; bad specs are refused", () => {
  assert.equal(labelCount("1%", 60000), 600);
  assert.equal(labelCount("10%", 60000), 6000);
  assert.equal(labelCount("0.5%", 1000), 5);
  assert.equal(labelCount("250", 60000), 250);
  assert.equal(labelCount("100%", 37), 37);
  assert.throws(() => labelCount("ten", 100), /give a share such as 1% or 10%/);
  assert.throws(() => labelCount("0.1%", 100), /selects 0 of the 100 labelled samples/);
  assert.throws(() => labelCount("101", 100), /only 100 labelled samples/);
  assert.throws(() => labelCount("150%", 100), /at most 100%/);
});

/** Labels as a shuffled dataset lists them: 10 classes of unequal size, some unlabelled. */
function sampleLabels(): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const h = (i * 2654435761) >>> 0;
    out.push(h % 17 === 0 ? -1 : (h >>> 8) % (i % 3 === 0 ? 10 : 7)); // classes 7..9 rarer
  }
  return Int32Array.from(out);
}

Deno.test("labelledSubset: class-balanced among labelled samples, the same for a seed, another for another", () => {
  const labels = sampleLabels();
  const perClass = (idx: Int32Array) => {
    const c = new Array(10).fill(0);
    for (const i of idx) c[labels[i]]++;
    return c;
  };
  const a = labelledSubset(labels, 100, 0);
  assert.equal(a.length, 100);
  assert.equal(new Set(a).size, 100);
  assert.ok(a.every((i) => labels[i] >= 0), "only labelled samples");
  assert.deepEqual([...a], [...a].sort((x, y) => x - y));
  assert.deepEqual(perClass(a), new Array(10).fill(10));
  assert.deepEqual(labelledSubset(labels, 100, 0), a, "same seed, same subset");
  const b = labelledSubset(labels, 100, 1);
  assert.notDeepEqual(b, a, "another seed, another subset");
  assert.deepEqual(perClass(b), new Array(10).fill(10));
  // 503 is not a multiple of 10: three classes get one more
  const c = perClass(labelledSubset(labels, 503, 5)).sort((x, y) => x - y);
  assert.deepEqual(c, [...new Array(7).fill(50), 51, 51, 51]);
  // classes 7..9 have fewer than 100 labelled samples: they give all, the others share the rest
  const all = new Array(10).fill(0);
  for (const y of labels) if (y >= 0) all[y]++;
  const d = perClass(labelledSubset(labels, 1000, 5));
  for (const k of [7, 8, 9]) assert.ok(all[k] < 100 && d[k] === all[k], `class ${k}`);
  assert.equal(d.reduce((s, v) => s + v, 0), 1000);
});

Deno.test("datasetLabels and subsetDataset: labels read from the samples, the subset reads the originals", async () => {
  const labels = [3, -1, 0, 2, 2];
  const ds: IndexedDataset<RawImage> = {
    name: "toy",
    length: labels.length,
    classes: ["a", "b", "c", "d"],
    get: (i) =>
      Promise.resolve({
        key: `toy[${i}]`,
        width: 1,
        height: 1,
        channels: 1,
        data: Uint8Array.of(i),
        ...(labels[i] >= 0 ? { label: labels[i] } : {}),
      }),
  };
  assert.deepEqual([...await datasetLabels(ds)], labels);
  const listed = { ...ds, labels: [1, undefined, 1, 0, 0] };
  assert.deepEqual([...await datasetLabels(listed)], [1, -1, 1, 0, 0]);
  const sub = subsetDataset(ds, Int32Array.of(4, 0));
  assert.equal(sub.length, 2);
  assert.deepEqual(sub.classes, ds.classes);
  assert.equal((await sub.get(0)).key, "toy[4]");
  assert.equal((await sub.get(1)).label, 3);
  await assert.rejects(() => sub.get(2), /index 2 outside 0\.\.1/);
  assert.throws(() => subsetDataset(ds, Int32Array.of(5)), /subset index 5 is outside toy/);
});
