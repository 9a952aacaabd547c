import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { decodeSafetensors } from "../../src/model/safetensors.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
const quiet = { progress: false, log: () => {} };

async function modelTensors(runDir: string): Promise<Map<string, Float32Array>> {
  const file = decodeSafetensors(await Deno.readFile(runFiles(runDir).checkpoint), runDir);
  const m = new Map<string, Float32Array>();
  for (const [name, t] of file.tensors) {
    if (name.startsWith("model/")) m.set(name, t.data as Float32Array);
  }
  return m;
}

async function losses(runDir: string): Promise<Map<number, number>> {
  const lines = (await Deno.readTextFile(runFiles(runDir).metrics)).trim().split("\n");
  return new Map(lines.map((l) => JSON.parse(l)).map((m) => [m.step, m.loss]));
}

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

  const a = await modelTensors(`${out}/whole`);
  const b = await modelTensors(`${out}/split`);
  assert.equal(a.size, b.size);
  for (const [name, va] of a) assert.deepEqual(b.get(name), va, `${name} differs after resume`);
  const la = await losses(`${out}/whole`);
  const lb = await losses(`${out}/split`);
  for (let step = 1; step <= 12; step++) assert.equal(lb.get(step), la.get(step), `loss ${step}`);
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
  assert.deepEqual(e.pretrained, result.evaluation!.pretrained);
  const html = await Deno.readTextFile(files.report);
  assert.match(html, /<svg/);
  assert.match(html, /data:image\/png;base64,/); // the example view pairs
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/); // self-contained
  const config = await Deno.readTextFile(files.config);
  assert.match(config, /dataset: mnist/);
});
