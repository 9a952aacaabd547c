/**
 * The kNN monitor inside `pretrain()`: it runs before the first batch of a due epoch, on the
 * weights of every step before it (the loop waits for the optimizer stage to apply them), and
 * it does not change training.
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { evaluateRun } from "../../src/pipeline/evaluate_run.ts";
import { loadRunModel } from "../../src/pipeline/load_run.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { checkpointModel, fixtureConfig, metricLosses, writeFixtureDataset } from "./_fixture.ts";

const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-monitor-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [data, out]) Deno.removeSync(dir, { recursive: true });
});

Deno.test("pretrain: the kNN monitor sees the weights of the epoch before it and leaves training alone", async () => {
  const lines: string[] = [];
  const quiet = { progress: false, evaluate: false };
  // 2 epochs of 6 steps: the monitor runs once, before epoch 1 (0-based)
  await pretrain(fixtureConfig(data, out, ["eval.monitorEvery=1"]), {
    ...quiet,
    runDir: `${out}/monitored`,
    log: (l) => lines.push(l),
  });
  // the same run without the monitor: the same losses and weights
  await pretrain(fixtureConfig(data, out), { ...quiet, runDir: `${out}/plain`, log: () => {} });
  const losses = (dir: string) => metricLosses(runFiles(dir).metrics);
  assert.deepEqual(await losses(`${out}/monitored`), await losses(`${out}/plain`));
  const [a, b] = [await checkpointModel(`${out}/monitored`), await checkpointModel(`${out}/plain`)];
  assert.equal(a.size, b.size);
  for (const [name, va] of a) assert.deepEqual(b.get(name), va, name);

  // what it printed is the kNN accuracy of the weights after step 6 (the end of epoch 0)
  const monitored = lines.filter((l) => l.startsWith("kNN monitor"));
  assert.equal(monitored.length, 1, lines.join("\n"));
  const cut = fixtureConfig(data, out, ["train.maxSteps=6"]);
  await pretrain(cut, { ...quiet, runDir: `${out}/epoch0`, log: () => {} });
  const { model, step } = await loadRunModel(`${out}/epoch0`, cut);
  assert.equal(step, 6);
  const e = await evaluateRun(cut, model, { knnOnly: true, skipFloor: true });
  model.dispose();
  const pct = (x: number) => (100 * x).toFixed(2);
  assert.equal(
    monitored[0],
    `kNN monitor after epoch 1: top-1 ${pct(e.pretrained.knnTop1)}%, top-5 ` +
      `${pct(e.pretrained.knnTop5)}%`,
  );
});
