/** The blocked rank split of the epoch order (data-parallel training's batches). */
import assert from "node:assert/strict";
import { epochOrder, epochPermutation, rankIndices, rankLength } from "../../src/streams/epochs.ts";
import { epochShard } from "./fixtures/blocked_split.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function collect<T>(s: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of s) out.push(x);
  return out;
}

Deno.test("blocked split: each step's rank batches concatenated are the 1-rank batch", () => {
  const n = 53, R = 3, B = 4, G = R * B; // 4 steps of 12; 5 left over, dropped
  const perm = epochPermutation(n, 7, 1);
  const parts = range(R).map((rank) => rankIndices(perm, { rank, worldSize: R, block: B }));
  for (const p of parts) assert.equal(p.length, 16);
  assert.equal(rankLength(n, { rank: 2, worldSize: R, block: B }), 16);
  for (let step = 0; step < 4; step++) {
    const global = parts.flatMap((p) => Array.from(p.subarray(step * B, (step + 1) * B)));
    assert.deepEqual(global, Array.from(perm.subarray(step * G, (step + 1) * G)));
  }
  // the same rule, written out independently
  for (let rank = 0; rank < R; rank++) {
    assert.deepEqual(Array.from(parts[rank]), Array.from(epochShard(perm, rank, R, B)));
  }
  // one rank with a block: the permutation, whole groups only
  assert.deepEqual(
    Array.from(rankIndices(perm, { block: G })),
    Array.from(perm.subarray(0, 48)),
  );
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
