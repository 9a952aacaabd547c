import assert from "node:assert/strict";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { indexedSamples } from "../../src/data/indexed.ts";
import { collect } from "../../src/streams/stage.ts";

Deno.test("indexedSamples: read errors skip or fail by policy; an empty dataset names itself", async () => {
  const reports: SkipReport[] = [];
  const flaky = {
    name: "flaky",
    length: 5,
    get(i: number) {
      if (i === 2) return Promise.reject(new Error("flaky[2]: disk error"));
      return Promise.resolve({ key: `k${i}`, bytes: new Uint8Array([i]) });
    },
  };
  const skips = new SkipLog((r) => reports.push(r));
  const got = await collect(
    indexedSamples(flaky, { seed: 0, epochs: 3, shuffle: false, onError: "skip", skips }),
  );
  assert.deepEqual(got.map((s) => s.index), [0, 1, 3, 4, 0, 1, 3, 4, 0, 1, 3, 4]);
  assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 1], [1, 1], [2, 1]]);
  await assert.rejects(
    collect(indexedSamples(flaky, { seed: 0, epochs: 1 })),
    /flaky\[2\]: disk error/,
  );
  assert.throws(
    () =>
      indexedSamples({ name: "/data/none", length: 0, get: () => Promise.reject() }, { seed: 0 }),
    /\/data\/none: the dataset is empty/,
  );
});
