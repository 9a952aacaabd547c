import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { createModel } from "../../src/model/simclr_model.ts";
import { Lars } from "../../src/train/lars.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import { trainer } from "../../src/train/trainer.ts";
import { loadCheckpoint, restoreCheckpoint } from "../../src/train/checkpoint.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { initialTrainState } from "../../src/train/train_state.ts";
import { batches, TINY, tinyBatch } from "./_fixtures.ts";

await tf.setBackend("cpu");

const schedule = { baseLr: 1.0, batchSize: 4, warmupSteps: 2, totalSteps: 8 };

async function weights(model: ReturnType<typeof createModel>) {
  const out: Record<string, number[]> = {};
  for (const p of model.store.all()) out[p.name] = Array.from(await p.variable.data());
  return out;
}

Deno.test("trainer: runs, writes JSONL metrics, learns, no tensor leak between step 2 and 50", async () => {
  const model = createModel(TINY);
  const optimizer = new MomentumSgd({ momentum: 0.9 });
  const dir = await Deno.makeTempDir();
  const counts = new Map<number, number>();
  const seen: StepMetrics[] = [];
  await batches(0, 50).pipeTo(trainer({
    model,
    optimizer,
    learningRate: () => 0.05,
    logEvery: 1,
    metricsFile: `${dir}/metrics.jsonl`,
    onMetrics: (m) => {
      seen.push(m);
      counts.set(m.step, tf.memory().numTensors);
    },
  }));
  assert.equal(
    counts.get(2),
    counts.get(50),
    `tensors: step 2 ${counts.get(2)}, step 50 ${counts.get(50)}`,
  );
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
  assert.equal(lines.length, 50);
  const first = JSON.parse(lines[0]);
  for (const k of ["step", "loss", "accuracy", "lr", "imagesPerSec", "waitMs", "computeMs"]) {
    assert.ok(k in first, `metric ${k}`);
  }
  const early = seen.slice(0, 5).reduce((s, m) => s + m.loss, 0) / 5;
  const late = seen.slice(-5).reduce((s, m) => s + m.loss, 0) / 5;
  assert.ok(late < early, `loss did not fall: ${early} -> ${late}`);
  optimizer.dispose();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainer: k steps in one go == j steps, checkpoint, resume, k - j steps", async () => {
  const k = 6;
  const j = 3;
  const dir = await Deno.makeTempDir();
  // uninterrupted
  const a = createModel(TINY);
  const optA = new Lars({ weightDecay: 1e-4 });
  const lossesA: number[] = [];
  await batches(0, k).pipeTo(trainer({
    model: a,
    optimizer: optA,
    learningRate: schedule,
    logEvery: 1,
    onMetrics: (m) => void lossesA.push(m.loss),
  }));
  // j steps, checkpoint at the end
  const b = createModel(TINY);
  const optB = new Lars({ weightDecay: 1e-4 });
  const lossesB: number[] = [];
  const path = `${dir}/run.ckpt`;
  await batches(0, j).pipeTo(trainer({
    model: b,
    optimizer: optB,
    learningRate: schedule,
    logEvery: 1,
    onMetrics: (m) => void lossesB.push(m.loss),
    checkpoint: { path, rngState: () => ({ seed: 1234 }) },
  }));
  optB.dispose();
  b.dispose();
  // resume in a fresh model and optimizer
  const ckpt = await loadCheckpoint(path);
  assert.deepEqual(ckpt.meta.dataPosition, { epoch: 0, nextMicroStep: j });
  assert.deepEqual(ckpt.meta.rng, { seed: 1234 });
  const c = createModel(ckpt.meta.modelConfig);
  const optC = new Lars({ weightDecay: 1e-4 });
  const state = restoreCheckpoint(ckpt, c, optC);
  assert.equal(state.step, j);
  const next = (ckpt.meta.dataPosition as { nextMicroStep: number }).nextMicroStep;
  await batches(next, k).pipeTo(trainer({
    model: c,
    optimizer: optC,
    learningRate: schedule,
    state,
    logEvery: 1,
    onMetrics: (m) => void lossesB.push(m.loss),
  }));
  assert.deepEqual(lossesB, lossesA);
  assert.deepEqual(await weights(c), await weights(a));
  assert.equal(state.step, k);
  for (const x of [optA, optC]) x.dispose();
  for (const x of [a, c]) x.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainer: a NaN loss stops training with a clear message, keeping the last good checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/run.ckpt`;
  const model = createModel(TINY);
  const optimizer = new MomentumSgd();
  const poisoned = (s: number) => {
    const b = tinyBatch(s);
    if (s === 3) b.views[0] = NaN;
    return b;
  };
  await assert.rejects(
    batches(0, 6, poisoned).pipeTo(trainer({
      model,
      optimizer,
      learningRate: () => 0.01,
      logEvery: 1,
      checkpoint: { path, every: 1 },
    })),
    (err: Error) => {
      assert.match(err.message, /loss at step 4 \(NaN\)/);
      assert.match(err.message, /last good checkpoint is .*run\.ckpt \(step 3\)/);
      return true;
    },
  );
  const ckpt = await loadCheckpoint(path);
  assert.equal(ckpt.meta.train.step, 3);
  optimizer.dispose();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainer: accumulation over 2 micro-batches steps the optimizer once per pair of batches", async () => {
  const model = createModel(TINY);
  const optimizer = new MomentumSgd();
  const state = initialTrainState();
  await batches(0, 6).pipeTo(trainer({
    model,
    optimizer,
    learningRate: () => 0.01,
    accumulate: 2,
    state,
  }));
  assert.equal(state.step, 3);
  assert.equal(state.images, 6 * 8);
  optimizer.dispose();
  model.dispose();
});
