import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { decodeSafetensors } from "../../src/model/safetensors.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
const quiet = { progress: false, log: () => {} };

/** The checkpoint's tensors whose names start with `prefix` (the model's, the online head's). */
async function tensors(runDir: string, prefix = "model/"): Promise<Map<string, Float32Array>> {
  const file = decodeSafetensors(await Deno.readFile(runFiles(runDir).checkpoint), runDir);
  const m = new Map<string, Float32Array>();
  for (const [name, t] of file.tensors) {
    if (name.startsWith(prefix)) m.set(name, t.data as Float32Array);
  }
  return m;
}

async function metrics(runDir: string): Promise<StepMetrics[]> {
  const lines = (await Deno.readTextFile(runFiles(runDir).metrics)).trim().split("\n");
  return lines.map((l) => JSON.parse(l));
}

async function losses(runDir: string): Promise<Map<number, number>> {
  return new Map((await metrics(runDir)).map((m) => [m.step, m.loss]));
}

const online = async (runDir: string) =>
  (await metrics(runDir)).map((m) => [m.step, m.onlineLoss, m.onlineTop1]);

Deno.test("pretrain: stopped at step 5 and resumed gives the same run as one without a stop", async () => {
  const whole = await pretrain(fixtureConfig(data, out), {
    ...quiet,
    runDir: `${out}/whole`,
    evaluate: false,
  });
  assert.equal(whole.steps, 12); // 96 samples / 16 pairs = 6 steps an epoch, 2 epochs
  assert.equal(whole.stopped, false);

  const part = await pretrain(fixtureConfig(data, out, ["train.maxSteps=5"]), {
    ...quiet,
    runDir: `${out}/split`,
    evaluate: false,
  });
  assert.equal(part.steps, 5);
  const resumed = await pretrain(fixtureConfig(data, out), {
    ...quiet,
    runDir: `${out}/split`,
    resume: true,
    evaluate: false,
  });
  assert.equal(resumed.steps, 12);

  for (const prefix of ["model/", "online/", "online-optimizer/"]) {
    const a = await tensors(`${out}/whole`, prefix);
    const b = await tensors(`${out}/split`, prefix);
    assert.ok(a.size > 0, `no ${prefix} tensors`); // the fixture's mnist lists its classes
    assert.equal(a.size, b.size);
    for (const [name, va] of a) assert.deepEqual(b.get(name), va, `${name} differs after resume`);
  }
  const la = await losses(`${out}/whole`);
  const lb = await losses(`${out}/split`);
  for (let step = 1; step <= 12; step++) assert.equal(lb.get(step), la.get(step), `loss ${step}`);
  // the online classifier resumed exactly too: the same loss and top-1 at every step
  const oa = await online(`${out}/whole`);
  assert.ok(oa.every(([, l, t]) => l! > 0 && t! >= 0 && t! <= 1), JSON.stringify(oa));
  assert.deepEqual(await online(`${out}/split`), oa);
});

Deno.test("pretrain: the online classifier changes nothing in the encoder's training (eval.online false: same bits)", async () => {
  const off = await pretrain(fixtureConfig(data, out, ["eval.online=false"]), {
    ...quiet,
    runDir: `${out}/off`,
    evaluate: false,
  });
  assert.equal(off.steps, 12);
  assert.equal((await tensors(`${out}/off`, "online")).size, 0);
  assert.ok((await metrics(`${out}/off`)).every((m) => m.onlineTop1 === undefined));
  if (!(await Deno.stat(`${out}/whole`).catch(() => null))) {
    await pretrain(fixtureConfig(data, out), { ...quiet, runDir: `${out}/whole`, evaluate: false });
  }
  const [a, b] = [await tensors(`${out}/whole`), await tensors(`${out}/off`)];
  for (const [name, va] of a) assert.deepEqual(b.get(name), va, name);
  assert.deepEqual(await losses(`${out}/off`), await losses(`${out}/whole`));
});

Deno.test("pretrain: evaluates against the random-init floor, writes eval.json and report.html, frees its tensors", async () => {
  await startBackend("wasm");
  const before = tf.memory().numTensors;
  const result = await pretrain(fixtureConfig(data, out, ["optim.epochs=1"]), {
    ...quiet,
    runDir: `${out}/eval`,
  });
  assert.equal(tf.memory().numTensors, before, "tensors left behind by pretrain()");
  const files = runFiles(`${out}/eval`);
  const e = JSON.parse(await Deno.readTextFile(files.eval));
  for (const which of ["pretrained", "random"]) {
    assert.equal(e[which].testCount, 32);
    assert.equal(e[which].trainCount, 96);
    assert.ok(e[which].knnTop1 >= 0 && e[which].knnTop1 <= 1);
    assert.ok(e[which].knnTop5 >= e[which].knnTop1);
  }
  assert.ok(e.pretrained.onlineTop1 >= 0 && e.pretrained.onlineTop1 <= 1, "online top-1 on test");
  assert.equal(e.random.onlineTop1, undefined);
  assert.deepEqual(e.pretrained, result.evaluation!.pretrained);
  const html = await Deno.readTextFile(files.report);
  assert.match(html, /<svg/);
  assert.match(html, /Online linear classifier: top-1/);
  assert.match(html, /data:image\/png;base64,/); // the example view pairs
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/); // self-contained
  const config = await Deno.readTextFile(files.config);
  assert.match(config, /dataset: mnist/);
});
