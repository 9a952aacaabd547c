import assert from "node:assert/strict";
import { openDataset } from "../../src/data/registry.ts";
import { trainingBatches, type TrainingInputOptions } from "../../src/pipeline/input.ts";
import type { Batch } from "../../src/train/batch.ts";
import { writeFixtureDataset } from "./_fixture.ts";

async function collect(s: ReadableStream<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of s) out.push(b);
  return out;
}

const dir = await writeFixtureDataset(40, 8);

async function options(extra: Partial<TrainingInputOptions>): Promise<TrainingInputOptions> {
  return {
    dataset: await openDataset("mnist", { path: dir }),
    augment: { preset: "simclr-gray", size: 12 },
    channels: 1,
    batchSize: 8,
    microStepsPerEpoch: 5,
    seed: 11,
    epochs: 2,
    workers: 0,
    prefetch: 1,
    ...extra,
  };
}

Deno.test("trainingBatches: each epoch is a permutation of the dataset, in whole batches", async () => {
  const batches = await collect(trainingBatches(await options({})));
  assert.equal(batches.length, 10);
  assert.deepEqual(batches.map((b) => b.microStep), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const epoch of [0, 1]) {
    const seen = batches.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.indices));
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  }
  const order0 = batches.slice(0, 5).flatMap((b) => Array.from(b.indices));
  const order1 = batches.slice(5).flatMap((b) => Array.from(b.indices));
  assert.notDeepEqual(order0, order1, "each epoch has its own permutation");
  for (const b of batches) {
    assert.equal(b.views.length, 2 * 8 * 12 * 12);
    assert.ok(b.views.every(Number.isFinite));
    // Labels follow the fixture's rule: label = (7 i) mod 4.
    b.indices.forEach((idx, k) => assert.equal(b.labels![k], (idx * 7) % 4));
  }
});

Deno.test("trainingBatches: the same views with 0 and 2 workers, and when resumed mid-epoch", async () => {
  const inline = await collect(trainingBatches(await options({})));
  const pooled = await collect(trainingBatches(await options({ workers: 2 })));
  assert.equal(pooled.length, inline.length);
  pooled.forEach((b, i) => {
    assert.deepEqual(b.indices, inline[i].indices);
    assert.deepEqual(b.views, inline[i].views);
  });
  const resumed = await collect(trainingBatches(await options({ startMicroStep: 3 })));
  assert.deepEqual(resumed.map((b) => b.microStep), [3, 4, 5, 6, 7, 8, 9]);
  resumed.forEach((b, i) => {
    assert.deepEqual(b.indices, inline[i + 3].indices);
    assert.deepEqual(b.views, inline[i + 3].views);
  });
});

Deno.test("trainingBatches: exactly microStepsPerEpoch micro-batches an epoch when accumulation drops some (N 90, batch 24, k 2)", async () => {
  // planSteps: 12 pairs a micro-batch, floor(90 / 12) = 7, but 3 whole steps of 2 = 6 an epoch
  const ninety = await writeFixtureDataset(90, 8);
  const from = async (startMicroStep: number) =>
    collect(trainingBatches(
      await options({
        dataset: await openDataset("mnist", { path: ninety }),
        batchSize: 12,
        microStepsPerEpoch: 6,
        epochs: 3,
        startMicroStep,
      }),
    ));
  const batches = await from(0);
  assert.deepEqual(
    batches.map((b) => [b.epoch, b.microStep]),
    Array.from({ length: 18 }, (_, m) => [Math.floor(m / 6), m]),
  );
  // resumed at step 4 (micro-batch 8): the same batches as the uninterrupted stream
  const resumed = await from(8);
  assert.deepEqual(resumed.map((b) => b.indices), batches.slice(8).map((b) => b.indices));
  await Deno.remove(ninety, { recursive: true });
});
