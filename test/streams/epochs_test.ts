import assert from "node:assert/strict";
import {
  dataPosition,
  epochPermutation,
  rankIndices,
  rankLength,
} from "../../src/streams/_epoch_split.ts";
import { epochOrder } from "../../src/streams/epochs.ts";
import { collect } from "../../src/streams/stage.ts";

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test("each epoch is a full permutation, fixed by (seed, epoch)", () => {
  const p0 = epochPermutation(1000, 42, 0);
  assert.deepEqual(sorted(p0), range(1000));
  assert.deepEqual(Array.from(epochPermutation(1000, 42, 0)), Array.from(p0));
  assert.notDeepEqual(Array.from(epochPermutation(1000, 42, 1)), Array.from(p0));
  assert.notDeepEqual(Array.from(epochPermutation(1000, 43, 0)), Array.from(p0));
  // Every position is roughly uniform over indices: the mean of p[0] over many epochs.
  let sum = 0;
  for (let e = 0; e < 400; e++) sum += epochPermutation(10, 1, e)[0];
  assert.ok(Math.abs(sum / 400 - 4.5) < 0.6, `mean ${sum / 400}`);
});

Deno.test("rank parts are disjoint, strided, and cover the epoch", () => {
  const perm = epochPermutation(103, 5, 2);
  const parts = range(4).map((rank) => rankIndices(perm, { rank, worldSize: 4 }));
  for (const p of parts) assert.equal(p.length, 25); // 103 // 4, remainder dropped
  const all = parts.flatMap((p) => Array.from(p));
  assert.equal(new Set(all).size, 100);
  // rank r takes epoch positions r, r+4, ...
  assert.deepEqual(Array.from(parts[1]), range(25).map((p) => perm[1 + 4 * p]));
  const kept = range(4).map((rank) => rankIndices(perm, { rank, worldSize: 4, remainder: "keep" }));
  assert.deepEqual(kept.map((p) => p.length), [26, 26, 26, 25]);
  assert.deepEqual(sorted(kept.flatMap((p) => Array.from(p))), range(103));
  assert.equal(rankLength(10, { rank: 2, worldSize: 3, remainder: "keep" }), 3);
  assert.throws(() => rankLength(10, { rank: 3, worldSize: 3 }), /rank must be an integer in 0..2/);
});

Deno.test("epochOrder streams epochs with global indices", async () => {
  const items = await collect(epochOrder({ length: 7, seed: 9, epochs: 2 }));
  assert.equal(items.length, 14);
  assert.deepEqual(items.slice(0, 7).map((x) => x.index), Array.from(epochPermutation(7, 9, 0)));
  assert.deepEqual(items.slice(7).map((x) => x.index), Array.from(epochPermutation(7, 9, 1)));
  assert.deepEqual(items.map((x) => x.epoch), [...Array(7).fill(0), ...Array(7).fill(1)]);
  assert.deepEqual(items.map((x) => x.position), [...range(7), ...range(7)]);
  const plain = await collect(epochOrder({ length: 4, seed: 9, epochs: 1, shuffle: false }));
  assert.deepEqual(plain.map((x) => x.index), range(4));
});

Deno.test("ranks of epochOrder together give each epoch's permutation", async () => {
  const R = 3, n = 30;
  const perRank = await Promise.all(
    range(R).map((rank) =>
      collect(epochOrder({ length: n, seed: 1, epochs: 1, rank, worldSize: R }))
    ),
  );
  const perm = epochPermutation(n, 1, 0);
  for (let p = 0; p < n; p++) assert.equal(perRank[p % R][Math.floor(p / R)].index, perm[p]);
});

Deno.test("epochOrder resumes mid-epoch exactly where a full run was", async () => {
  const opts = { length: 50, seed: 4, rank: 1, worldSize: 2 };
  const full = await collect(epochOrder({ ...opts, epochs: 3 }));
  const at = dataPosition(37, rankLength(50, opts)); // 37 items consumed: epoch 1, position 12
  assert.deepEqual(at, { epoch: 1, position: 12 });
  const resumed = await collect(
    epochOrder({ ...opts, startEpoch: at.epoch, startPosition: at.position, epochs: 2 }),
  );
  assert.deepEqual(resumed, full.slice(37));
  assert.throws(
    () => epochOrder({ ...opts, startPosition: 26 }),
    /outside this rank's epoch of 25/,
  );
});

Deno.test("an endless epochOrder can be read lazily", async () => {
  const reader = epochOrder({ length: 3, seed: 0 }).getReader();
  const got = [];
  for (let i = 0; i < 10; i++) got.push((await reader.read()).value!.epoch);
  await reader.cancel();
  assert.deepEqual(got, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
});
