import assert from "node:assert/strict";
import {
  batchRange,
  epochShard,
  localBatchIndices,
  localBatchSize,
  shardRange,
  stepsPerEpoch,
} from "../../src/distributed/mod.ts";

const perm = Int32Array.from({ length: 50 }, (_, i) => (i * 17 + 3) % 50);

Deno.test("batchRange: rank r takes [step*G + r*B, step*G + (r+1)*B)", () => {
  assert.deepEqual(batchRange(0, 0, 2, 4), { start: 0, end: 4 });
  assert.deepEqual(batchRange(0, 1, 2, 4), { start: 4, end: 8 });
  assert.deepEqual(batchRange(3, 1, 2, 4), { start: 28, end: 32 });
  assert.throws(() => batchRange(0, 2, 2, 4), /rank must be in \[0, 2\)/);
});

Deno.test("1 rank with batch 2B sees the samples of 2 ranks with B, in order, each step", () => {
  for (const [size, b] of [[2, 3], [3, 2], [4, 1]]) {
    const steps = stepsPerEpoch(perm.length, b, size);
    assert.equal(steps, stepsPerEpoch(perm.length, b * size, 1));
    for (let step = 0; step < steps; step++) {
      const whole = localBatchIndices(perm, step, 0, 1, b * size);
      const parts = [...Array(size).keys()].flatMap((r) => [
        ...localBatchIndices(perm, step, r, size, b),
      ]);
      assert.deepEqual(parts, [...whole]);
    }
  }
});

Deno.test("epochShard: disjoint per rank, together the epoch's full global batches", () => {
  const size = 3, b = 4; // G = 12: 4 steps, 2 samples dropped
  assert.equal(stepsPerEpoch(perm.length, b, size), 4);
  const shards = [0, 1, 2].map((r) => epochShard(perm, r, size, b));
  for (const s of shards) assert.equal(s.length, 16);
  const all = shards.flatMap((s) => [...s]).sort((x, y) => x - y);
  assert.deepEqual(all, [...perm.subarray(0, 48)].sort((x, y) => x - y));
  assert.equal(new Set(all).size, 48);
  // step s of rank r is its s-th local batch
  assert.deepEqual([...shards[1].subarray(8, 12)], [...localBatchIndices(perm, 2, 1, size, b)]);
});

Deno.test("localBatchSize and stepsPerEpoch check their inputs", () => {
  assert.equal(localBatchSize(256, 2), 128);
  assert.throws(() => localBatchSize(255, 2), /does not split evenly over 2 ranks/);
  assert.throws(() => stepsPerEpoch(10, 0, 1), /local batch/);
  assert.throws(() => localBatchIndices(perm, 9, 0, 2, 4), /needs positions up to 76/);
});

Deno.test("shardRange: contiguous, nearly even, covering [0, n)", () => {
  for (const [n, size] of [[10, 3], [2, 4], [0, 2], [9, 3]]) {
    let next = 0;
    for (let r = 0; r < size; r++) {
      const { start, end } = shardRange(n, r, size);
      assert.equal(start, next);
      assert.ok(end - start === Math.floor(n / size) || end - start === Math.ceil(n / size));
      next = end;
    }
    assert.equal(next, n);
  }
});
