import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { createModel, type ModelConfig } from "../../src/model/simclr_model.ts";
import { forwardBackward } from "../../src/train/forward_backward.ts";
import { computeStepGradients } from "../../src/train/_step_objective.ts";
import { disposeStepGradients, type StepGradients } from "../../src/train/step_gradients.ts";
import { batches, TINY, tinyBatch } from "./_fixtures.ts";

async function gradsOn(backend: string, config: ModelConfig, side: number) {
  await startBackend(backend);
  const m = createModel(config);
  const g = computeStepGradients(m, tinyBatch(0, 4, side));
  const out: Record<string, Float32Array> = { loss: await g.loss.data() as Float32Array };
  for (const [n, t] of Object.entries(g.grads)) out[n] = await t.data() as Float32Array;
  disposeStepGradients(g);
  m.dispose();
  return out;
}

Deno.test("computeStepGradients: wasm (project kernels) matches cpu for the small net and a ResNet", async () => {
  const configs: [ModelConfig, number][] = [
    [TINY, 8],
    [{
      encoder: "resnet18",
      stem: "imagenet",
      widthMultiplier: 0.125,
      head: { outDim: 16 },
      seed: 2,
    }, 32],
    [{ ...TINY, head: { ...TINY.head, output: "linear-bn" } }, 8],
  ];
  try {
    for (const [config, side] of configs) {
      const cpu = await gradsOn("cpu", config, side);
      const wasm = await gradsOn("wasm", config, side);
      assert.deepEqual(Object.keys(wasm), Object.keys(cpu));
      for (const n of Object.keys(cpu)) {
        const scale = Math.max(1e-3, ...Array.from(cpu[n], Math.abs));
        for (let i = 0; i < cpu[n].length; i++) {
          assert.ok(
            Math.abs(wasm[n][i] - cpu[n][i]) <= 2e-3 * scale,
            `${config.encoder} ${n}[${i}]: ${wasm[n][i]} vs ${cpu[n][i]}`,
          );
        }
      }
    }
  } finally {
    await startBackend("cpu");
  }
});

Deno.test("forwardBackward stage: one StepGradients per batch, gradients for every trainable parameter", async () => {
  await startBackend("cpu");
  const m = createModel(TINY);
  const got: StepGradients[] = [];
  await batches(0, 3).pipeThrough(forwardBackward(m, { temperature: 0.2 })).pipeTo(
    new WritableStream({ write: (g) => void got.push(g) }),
  );
  assert.deepEqual(got.map((g) => g.microStep), [0, 1, 2]);
  assert.deepEqual(Object.keys(got[0].grads).sort(), m.store.trainable().map((p) => p.name).sort());
  assert.ok(got.every((g) => g.pairs === 4 && g.microBatches === 1 && g.computeMs >= 0));
  assert.equal((await m.store.get("encoder.stem.bn.num_batches_tracked").variable.data())[0], 3);
  got.forEach(disposeStepGradients);
  m.dispose();
});

Deno.test("computeStepGradients: a batch whose views do not match its shape is refused", () => {
  const m = createModel(TINY);
  const b = tinyBatch(0);
  b.size = 5;
  assert.throws(
    () => computeStepGradients(m, b),
    /views has .* values, expected 2 x 5 x 8 x 8 x 3/,
  );
  m.dispose();
});

Deno.test("computeStepGradients: lossReduction sum-of-directions doubles the loss and every gradient", async () => {
  await startBackend("cpu");
  const m = createModel(TINY);
  const before = m.store.all().map((p) => p.name);
  // BN running statistics move on each call: compare against a fresh model each time.
  const mean = computeStepGradients(m, tinyBatch(0, 4, 8), { temperature: 0.3 });
  m.dispose();
  const m2 = createModel(TINY);
  const google = computeStepGradients(m2, tinyBatch(0, 4, 8), {
    temperature: 0.3,
    lossReduction: "sum-of-directions",
  });
  const lm = (await mean.loss.data())[0], lg = (await google.loss.data())[0];
  assert.ok(Math.abs(lg - 2 * lm) < 1e-5 * lg, `${lg} vs 2 x ${lm}`);
  for (const n of Object.keys(mean.grads)) {
    const a = await mean.grads[n].data(), b = await google.grads[n].data();
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(b[i] - 2 * a[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]), n);
    }
  }
  assert.deepEqual(m2.store.all().map((p) => p.name), before);
  disposeStepGradients(mean);
  disposeStepGradients(google);
  m2.dispose();
});
