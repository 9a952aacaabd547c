/**
 * The training input on tar shards: whole epochs of exactly the planned micro-batches whatever the
 * shuffle buffer, an order that is a function of (seed, epoch) so that a resume mid-epoch gives
 * the same batches, and shards split among ranks.
 */
import assert from "node:assert/strict";
import { openDataset } from "../../src/data/registry.ts";
import { trainingBatches, type TrainingInputOptions } from "../../src/pipeline/input.ts";
import { collect } from "../../src/streams/stage.ts";
import type { Batch } from "../../src/train/batch.ts";
import { writeTarShards } from "./_tar_fixture.ts";

// 45 samples in shards of unequal size; 8 pairs a batch: floor(45 / 8) = 5 batches an epoch
const shards = await writeTarShards([17, 13, 15]);
const even = await writeTarShards([11, 11, 11, 11]); // for two ranks
const uneven = await writeTarShards([12, 12, 12, 4]);
globalThis.addEventListener("unload", () => {
  for (const s of [shards, even, uneven]) Deno.removeSync(s.dir, { recursive: true });
});

async function options(extra: Partial<TrainingInputOptions>): Promise<TrainingInputOptions> {
  return {
    dataset: await openDataset("tar", { path: shards.pattern }),
    augment: { preset: "simclr-gray", size: 8 },
    channels: 1,
    batchSize: 8,
    microStepsPerEpoch: 5,
    seed: 7,
    epochs: 3,
    workers: 0,
    prefetch: 1,
    ...extra,
  };
}

/** The (epoch, microStep) of each batch, and each epoch's sample indices. */
function layout(batches: Batch[]) {
  const perEpoch = new Map<number, number[]>();
  for (const b of batches) {
    perEpoch.set(b.epoch, [...perEpoch.get(b.epoch) ?? [], ...Array.from(b.indices)]);
  }
  return { steps: batches.map((b) => [b.epoch, b.microStep]), perEpoch };
}

Deno.test("tar shards: every epoch gives floor(N/B) batches whatever the shuffle buffer (0, small, one epoch, larger)", async () => {
  const expected = Array.from({ length: 15 }, (_, m) => [Math.floor(m / 5), m]);
  const orders: string[] = [];
  for (const shuffleBuffer of [0, 1, 7, 20, 45, 1000]) {
    const batches = await collect(trainingBatches(await options({ shuffleBuffer })));
    const { steps, perEpoch } = layout(batches);
    assert.deepEqual(steps, expected, `shuffle buffer ${shuffleBuffer}`);
    for (const [epoch, indices] of perEpoch) {
      assert.equal(indices.length, 40);
      assert.equal(new Set(indices).size, 40, `buffer ${shuffleBuffer}: a repeat in ${epoch}`);
    }
    orders.push(JSON.stringify([...perEpoch.values()]));
  }
  const [none, one, seven, twenty, epoch, larger] = orders;
  assert.equal(one, none, "a buffer of one does not shuffle");
  assert.equal(larger, epoch, "a buffer holding the epoch gives the same full shuffle");
  assert.equal(new Set([none, seven, twenty, epoch]).size, 4, "the others shuffle differently");
});

Deno.test("tar shards: the order is a function of (seed, epoch): a resume mid-epoch gives the same batches", async () => {
  for (const shuffleBuffer of [0, 10, 1000]) {
    const whole = await collect(trainingBatches(await options({ shuffleBuffer })));
    assert.deepEqual(
      (await collect(trainingBatches(await options({ shuffleBuffer })))).map((b) => b.keys),
      whole.map((b) => b.keys),
      "the same twice",
    );
    assert.notDeepEqual(whole[0].keys.concat(whole[1].keys), whole[5].keys.concat(whole[6].keys));
    for (const start of [3, 7, 10]) {
      const resumed = await collect(
        trainingBatches(await options({ shuffleBuffer, startMicroStep: start })),
      );
      assert.equal(resumed.length, 15 - start);
      resumed.forEach((b, i) => {
        const w = whole[start + i];
        const what = `buffer ${shuffleBuffer}, resumed at ${start}: micro-batch ${w.microStep}`;
        assert.equal(b.microStep, w.microStep, what);
        assert.deepEqual(b.keys, w.keys, what);
        assert.deepEqual(b.views, w.views, what);
      });
    }
  }
});

Deno.test("tar shards: two ranks read disjoint shards, each the planned micro-batches an epoch", async () => {
  // 44 samples, a global micro-batch of 8 = 4 pairs on each of 2 ranks: 5 micro-batches an epoch
  const dataset = await openDataset("tar", { path: even.pattern });
  const ranks = await Promise.all(
    [0, 1].map(async (rank) =>
      collect(
        trainingBatches(
          await options({ dataset, batchSize: 4, shuffleBuffer: 6, rank, worldSize: 2 }),
        ),
      )
    ),
  );
  for (const batches of ranks) {
    assert.deepEqual(layout(batches).steps, Array.from({ length: 15 }, (_, m) => [m / 5 | 0, m]));
  }
  for (const epoch of [0, 1, 2]) {
    const [a, b] = ranks.map((r) => layout(r).perEpoch.get(epoch)!);
    const shardsOf = (xs: number[]) => new Set(xs.map((x) => Math.floor(x / 1_000_000)));
    const [sa, sb] = [shardsOf(a), shardsOf(b)];
    assert.equal(sa.size, 2);
    assert.equal(sb.size, 2);
    assert.ok([...sa].every((s) => !sb.has(s)), `epoch ${epoch}: ranks share a shard`);
  }
});

Deno.test("tar shards: a rank whose shards hold fewer samples than its share of the plan fails, saying so", async () => {
  // 40 samples, 8 a global micro-batch (4 a rank): 5 an epoch, 20 samples from each rank's 2 shards;
  // the rank that gets the shard of 4 has 16 in that epoch
  const dataset = await openDataset("tar", { path: uneven.pattern });
  const run = async (rank: number) =>
    collect(trainingBatches(
      await options({ dataset, batchSize: 4, samplesPerEpoch: 40, rank, worldSize: 2, epochs: 1 }),
    ));
  const results = await Promise.allSettled([run(0), run(1)]);
  const failed = results.filter((r) => r.status === "rejected");
  assert.equal(failed.length, 1, "one rank has the short shard");
  assert.match(
    String((failed[0] as PromiseRejectedResult).reason),
    /^DataError: epoch 1 on rank [01]: 16 usable samples, fewer than the 20 of the 5 micro-batches of 4 pairs planned for an epoch\. data\.maxSamples \(40\) is the epoch size .*; each rank needs 20 from its shards: give the shards equal sizes and make their number a multiple of the ranks$/,
  );
});
