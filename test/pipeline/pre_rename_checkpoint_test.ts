import assert from "node:assert/strict";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { loadRunConfig } from "../../src/pipeline/load_run.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { checkpointModel, fixtureConfig, metricLosses, writeFixtureDataset } from "./_fixture.ts";

// A run directory written by the code before issue 14's renames (see
// fixtures/make_pre_rename_run.ts): 2 optimizer steps of 2 micro-batches of 8 pairs.
const FIXTURE = new URL("./fixtures/pre_rename_run/", import.meta.url).pathname;

const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-pre-rename-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [data, out]) Deno.removeSync(dir, { recursive: true });
});
const quiet = { progress: false, log: () => {}, evaluate: false };

async function copyFixtureRun(runDir: string): Promise<void> {
  await Deno.mkdir(runDir, { recursive: true });
  const config = (await Deno.readTextFile(`${FIXTURE}config.yaml`)).replaceAll("${DATA}", data)
    .replaceAll("${OUT}", out);
  await Deno.writeTextFile(runFiles(runDir).config, config);
  await Deno.copyFile(`${FIXTURE}checkpoint.safetensors`, runFiles(runDir).checkpoint);
  await Deno.copyFile(`${FIXTURE}metrics.jsonl`, runFiles(runDir).metrics);
}

Deno.test("a run checkpointed before the step/microStep rename resumes exactly where it stopped", async () => {
  const old = `${out}/old`;
  await copyFixtureRun(old);
  // its config (maxSteps 2) as `deno task pretrain --resume` reads it, run to the planned end
  const cfg = await loadRunConfig(old, ["train.maxSteps=12"]);
  const resumed = await pretrain(cfg, { ...quiet, runDir: old, resume: true });
  assert.equal(resumed.steps, 12);

  const whole = await pretrain(fixtureConfig(data, out, ["optim.accumulateSteps=2"]), {
    ...quiet,
    runDir: `${out}/whole`,
  });
  assert.equal(whole.steps, 12); // 96 samples / 16 pairs = 6 steps an epoch, 2 epochs

  const lw = await metricLosses(runFiles(`${out}/whole`).metrics);
  const lf = await metricLosses(`${FIXTURE}metrics.jsonl`);
  for (const step of [1, 2]) {
    assert.equal(
      lw.get(step),
      lf.get(step),
      `loss of step ${step} differs from the fixture's: this machine's arithmetic differs from ` +
        `the one that made it (regenerate it with fixtures/make_pre_rename_run.ts at 84e61b4)`,
    );
  }
  const lr = await metricLosses(runFiles(old).metrics);
  for (let step = 1; step <= 12; step++) assert.equal(lr.get(step), lw.get(step), `loss ${step}`);
  const a = await checkpointModel(`${out}/whole`);
  const b = await checkpointModel(old);
  assert.equal(a.size, b.size);
  for (const [name, va] of a) assert.deepEqual(b.get(name), va, `${name} differs after resume`);

  const ck = await loadCheckpoint(runFiles(old).checkpoint);
  assert.equal(ck.meta.train.step, 12);
  assert.equal(ck.meta.optimizer.iterations, 12);
});
