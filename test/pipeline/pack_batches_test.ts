import assert from "node:assert/strict";
import type { ViewPair } from "../../src/augment/view_pair.ts";
import { packBatches, type PackOptions } from "../../src/pipeline/_pack_batches.ts";
import type { Batch } from "../../src/train/batch.ts";

function pair(index: number, epoch: number): ViewPair {
  // 2x2x1 views whose values encode (index, view) so the layout can be checked by hand.
  return {
    key: `k${index}`,
    size: 2,
    channels: 1,
    view1: Float32Array.from({ length: 4 }, (_, j) => index * 10 + j),
    view2: Float32Array.from({ length: 4 }, (_, j) => -(index * 10 + j)),
    label: index % 3,
    index,
    epoch,
  };
}

async function run(pairs: ViewPair[], size: number, firstMicroStep = 0): Promise<Batch[]> {
  const out: Batch[] = [];
  await ReadableStream.from(pairs).pipeThrough(packBatches({ size, firstMicroStep })).pipeTo(
    new WritableStream({ write: (b) => void out.push(b) }),
  );
  return out;
}

Deno.test("packBatches: N first views, then N second views, with labels, keys and indices", async () => {
  const [b] = await run([pair(5, 0), pair(8, 0)], 2);
  assert.equal(b.size, 2);
  assert.deepEqual([b.height, b.width, b.channels], [2, 2, 1]);
  assert.deepEqual(
    Array.from(b.views),
    [50, 51, 52, 53, 80, 81, 82, 83, -50, -51, -52, -53, -80, -81, -82, -83],
  );
  assert.deepEqual(Array.from(b.labels!), [2, 2]);
  assert.deepEqual(Array.from(b.indices), [5, 8]);
  assert.deepEqual(b.keys, ["k5", "k8"]);
});

Deno.test("packBatches: nextPosition is just past the last pair's position in the epoch order", async () => {
  const at = (index: number, position: number) => ({ ...pair(index, 0), position });
  // positions 3 and 6 were skipped upstream: batch 0 ends at 4, batch 1 at 8
  const [b0, b1] = await run([at(9, 2), at(4, 4), at(7, 5), at(1, 7)], 2);
  assert.equal(b0.nextPosition, 5);
  assert.equal(b1.nextPosition, 8);
  const [plain] = await run([pair(5, 0), pair(8, 0)], 2); // pairs read in no epoch order
  assert.equal(plain.nextPosition, undefined);
});

Deno.test("packBatches: an epoch's incomplete last batch is dropped, never mixed with the next", async () => {
  // Epoch 0 has 5 pairs (2 batches of 2 and one left over), epoch 1 has 4.
  const pairs = [0, 1, 2, 3, 4].map((i) => pair(i, 0)).concat([5, 6, 7, 8].map((i) => pair(i, 1)));
  const batches = await run(pairs, 2, 10);
  assert.deepEqual(batches.map((b) => b.microStep), [10, 11, 12, 13]);
  assert.deepEqual(batches.map((b) => b.epoch), [0, 0, 1, 1]);
  assert.deepEqual(batches.map((b) => Array.from(b.indices)), [[0, 1], [2, 3], [5, 6], [7, 8]]);
});

Deno.test("packBatches: views of another size are refused with the sample's key", async () => {
  const odd = { ...pair(1, 0), view1: new Float32Array(9), view2: new Float32Array(9) };
  await assert.rejects(() => run([pair(0, 0), odd], 2), /sample 'k1'.*9 values, expected 4/);
});

Deno.test("packBatches with perEpoch: that many batches an epoch, the rest dropped; a short epoch is an error", async () => {
  const pack = (pairs: ViewPair[], o: Partial<PackOptions>) => {
    const out: Batch[] = [];
    return ReadableStream.from(pairs)
      .pipeThrough(packBatches({ size: 2, firstMicroStep: 0, perEpoch: 2, ...o }))
      .pipeTo(new WritableStream({ write: (b) => void out.push(b) }))
      .then(() => out);
  };
  const epoch = (e: number, n: number) => Array.from({ length: n }, (_, i) => pair(10 * e + i, e));
  // 7 pairs an epoch: 3 batches' worth, 2 taken, numbered epoch * 2 + j
  const batches = await pack([...epoch(0, 7), ...epoch(1, 7)], { endMicroStep: 4 });
  assert.deepEqual(batches.map((b) => [b.epoch, b.microStep]), [[0, 0], [0, 1], [1, 2], [1, 3]]);
  assert.deepEqual(batches.map((b) => Array.from(b.indices)), [[0, 1], [2, 3], [10, 11], [12, 13]]);
  // resumed at micro-batch 3: the rest of epoch 1
  const resumed = await pack(epoch(1, 5), { firstMicroStep: 3, endMicroStep: 4 });
  assert.deepEqual(resumed.map((b) => Array.from(b.indices)), [[10, 11]]);
  // epoch 0 with 3 pairs, then epoch 1; an epoch missing entirely; the stream ending early
  await assert.rejects(
    pack([...epoch(0, 3), ...epoch(1, 4)], {}),
    /^RangeError: epoch 0: 3 pairs, fewer than the 4 of its 2 batches of 2$/,
  );
  await assert.rejects(
    pack([...epoch(0, 4), ...epoch(2, 4)], {}),
    /^RangeError: epoch 1: 0 pairs/,
  );
  await assert.rejects(pack(epoch(0, 5), { endMicroStep: 4 }), /^RangeError: epoch 1: 0 pairs/);
  // the end is checked only against endMicroStep; shortEpoch makes the error
  assert.deepEqual(await pack([], {}), []);
  const shortEpoch = (e: number, n: number) => new Error(`short ${e} ${n}`);
  await assert.rejects(pack([], { endMicroStep: 2, shortEpoch }), /^Error: short 0 0$/);
});
