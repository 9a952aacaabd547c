import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { createModel } from "../../src/model/simclr_model.ts";
import { loadCheckpoint, restoreCheckpoint } from "../../src/train/checkpoint.ts";
import { encodeCheckpoint, saveCheckpoint } from "../../src/train/_checkpoint_codec.ts";
import { Lars } from "../../src/train/lars.ts";
import { initialTrainState } from "../../src/train/train_state.ts";
import { TINY } from "./_fixtures.ts";

await tf.setBackend("cpu");

async function saved(path: string) {
  const model = createModel(TINY);
  const opt = new Lars();
  const g = Object.fromEntries(
    model.store.trainable().map((p) => [p.name, tf.onesLike(p.variable)]),
  );
  opt.apply(model.store.trainable(), g, 0.1);
  tf.dispose(Object.values(g));
  const state = { ...initialTrainState(), step: 7 };
  await saveCheckpoint(path, {
    model,
    optimizer: opt,
    state,
    dataPosition: { epoch: 1, offset: 64 },
  });
  return { model, opt };
}

Deno.test("checkpoint: save, load, restore round trip (weights, slots, state, data position)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a.ckpt`;
  const { model, opt } = await saved(path);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.ckpt"]); // no temp left
  const ck = await loadCheckpoint(path);
  const m2 = createModel(ck.meta.modelConfig);
  const o2 = new Lars();
  const state = restoreCheckpoint(ck, m2, o2);
  assert.equal(state.step, 7);
  assert.deepEqual(ck.meta.dataPosition, { epoch: 1, offset: 64 });
  for (const p of model.store.all()) {
    assert.deepEqual(await m2.store.get(p.name).variable.data(), await p.variable.data(), p.name);
  }
  const s1 = opt.state().slots;
  const s2 = o2.state().slots;
  assert.deepEqual(Object.keys(s2), Object.keys(s1));
  for (const k of Object.keys(s1)) assert.deepEqual(await s2[k].data(), await s1[k].data());
  assert.equal(o2.state().iterations, 1);
  for (const x of [opt, o2]) x.dispose();
  for (const x of [model, m2]) x.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpoint: a corrupted or truncated file is refused with a clear error", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a.ckpt`;
  const { model, opt } = await saved(path);
  const bytes = await Deno.readFile(path);
  const flipped = bytes.slice();
  flipped[bytes.length - 100] ^= 0x40;
  await Deno.writeFile(`${dir}/flipped.ckpt`, flipped);
  await assert.rejects(
    loadCheckpoint(`${dir}/flipped.ckpt`),
    /flipped\.ckpt is corrupt \(checksum mismatch/,
  );
  await Deno.writeFile(`${dir}/short.ckpt`, bytes.slice(0, bytes.length - 10));
  await assert.rejects(loadCheckpoint(`${dir}/short.ckpt`), /short\.ckpt is corrupt/);
  await assert.rejects(loadCheckpoint(`${dir}/missing.ckpt`), /cannot read checkpoint/);
  opt.dispose();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpoint: parameters holding NaN are not written", async () => {
  const model = createModel(TINY);
  const opt = new Lars();
  model.store.trainable()[0].variable.assign(
    tf.fill(model.store.trainable()[0].variable.shape, NaN),
  );
  await assert.rejects(
    encodeCheckpoint({ model, optimizer: opt, state: initialTrainState() }),
    /holds NaN or infinite values/,
  );
  opt.dispose();
  model.dispose();
});

Deno.test("checkpoint: restoring again leaves no extra tensors (weights, slots)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a.ckpt`;
  const { model, opt } = await saved(path);
  const ck = await loadCheckpoint(path);
  restoreCheckpoint(ck, model, opt);
  const before = tf.memory().numTensors;
  restoreCheckpoint(ck, model, opt);
  assert.equal(tf.memory().numTensors, before);
  opt.dispose();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});
