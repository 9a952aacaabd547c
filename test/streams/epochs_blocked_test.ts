/** The blocked rank split of the epoch order (data-parallel training's batches). */
import assert from "node:assert/strict";
import { epochPermutation, rankIndices, rankLength } from "../../src/streams/_epoch_split.ts";
import { epochOrder } from "../../src/streams/epochs.ts";
import { epochShard } from "./fixtures/blocked_split.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function collect<T>(s: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of s) out.push(x);
  return out;
}

Deno.test("blocked split: each step's rank batches concatenated are the 1-rank batch", () => {
  const n = 53, R = 3, B = 4, G = R * B; // 4 steps of 12; 5 left over: spares, 2, 2 and 1
  const perm = epochPermutation(n, 7, 1);
  const parts = range(R).map((rank) => rankIndices(perm, { rank, worldSize: R, block: B }));
  assert.deepEqual(parts.map((p) => p.length), [18, 18, 17]);
  assert.deepEqual(range(R).map((rank) => rankLength(n, { rank, worldSize: R, block: B })), [
    18,
    18,
    17,
  ]);
  assert.deepEqual(Array.from(parts[1].subarray(16)), [perm[49], perm[52]]);
  assert.deepEqual([...parts.flatMap((p) => Array.from(p))].sort((a, b) => a - b), range(n));
  for (let step = 0; step < 4; step++) {
    const global = parts.flatMap((p) => Array.from(p.subarray(step * B, (step + 1) * B)));
    assert.deepEqual(global, Array.from(perm.subarray(step * G, (step + 1) * G)));
  }
  // the same rule, written out independently
  for (let rank = 0; rank < R; rank++) {
    assert.deepEqual(Array.from(parts[rank]), Array.from(epochShard(perm, rank, R, B)));
  }
  // one rank with a block: the permutation (whole groups, then the rest)
  assert.deepEqual(Array.from(rankIndices(perm, { block: G })), Array.from(perm));
  // a rest shorter than the ranks, and no whole group at all
  assert.deepEqual([0, 1].map((rank) => rankLength(7, { rank, worldSize: 2, block: 3 })), [4, 3]);
  assert.deepEqual([0, 1].map((rank) => rankLength(5, { rank, worldSize: 2, block: 3 })), [3, 2]);
  assert.throws(() => rankLength(10, { worldSize: 2, rank: 0, block: 0 }), /block must be/);
});

Deno.test("blocked epochOrder resumes at a step with a different number of ranks", async () => {
  const n = 40, G = 8, seed = 3;
  // 1 rank, batch 8, whole run over 2 epochs; then resumed at global step 3 on 2 ranks
  const one = await collect(epochOrder({ length: n, seed, epochs: 2, block: G }));
  const R = 2, B = G / R, step = 3, perEpoch = n / G;
  const resumed = await Promise.all(
    range(R).map((rank) =>
      collect(epochOrder({
        length: n,
        seed,
        epochs: 2,
        rank,
        worldSize: R,
        block: B,
        startPosition: (step % perEpoch) * B,
      }))
    ),
  );
  const merged: number[] = [];
  for (let s = 0; s < 2 * perEpoch - step; s++) {
    for (let rank = 0; rank < R; rank++) {
      merged.push(...resumed[rank].slice(s * B, (s + 1) * B).map((x) => x.index));
    }
  }
  assert.deepEqual(merged, one.slice(step * G).map((x) => x.index));
});
