/**
 * `pretrain()` on tar shards: every planned step whatever the shuffle buffer, a stopped run
 * resumed equal to an uninterrupted one (bitwise), and data too small for the plan refused
 * loudly instead of "training" to step 0.
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { assertSameRun, fixtureConfig, metricLosses } from "./_fixture.ts";
import { writeTarShards } from "./_tar_fixture.ts";

// 45 samples in 3 shards of unequal size; 16 pairs a step: 2 steps an epoch (13 samples unused)
const shards = await writeTarShards([17, 13, 15]);
const small = await writeTarShards([6, 4]); // 10 samples: fewer than one batch
const out = await Deno.makeTempDir({ prefix: "simclr-tar-runs-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [shards.dir, small.dir, out]) Deno.removeSync(dir, { recursive: true });
});
const quiet = { progress: false, evaluate: false, log: () => {} };

/** The fixture's pipeline on tar shards at `path`, 45 samples an epoch. */
function tarConfig(path: string, overrides: string[] = []) {
  return fixtureConfig("unused", out, [
    "data.dataset=tar",
    `data.path=${path}`,
    "data.maxSamples=45",
    ...overrides,
  ]);
}

Deno.test("pretrain on tar shards: every planned step, whatever the shuffle buffer (0, within an epoch, larger)", async () => {
  for (const buffer of [0, 20, 1000]) {
    const dir = `${out}/buffer-${buffer}`;
    const r = await pretrain(
      tarConfig(shards.pattern, [`data.shuffleBuffer=${buffer}`, "optim.epochs=3"]),
      { ...quiet, runDir: dir },
    );
    assert.equal(r.plan.totalSteps, 6);
    assert.equal(r.steps, 6, `shuffle buffer ${buffer}`);
    assert.equal(r.stopped, false);
    const losses = await metricLosses(runFiles(dir).metrics);
    assert.deepEqual([...losses.keys()], [1, 2, 3, 4, 5, 6]);
  }
});

Deno.test("pretrain on tar shards: stopped mid-epoch and resumed gives the same run as one without a stop", async () => {
  const overrides = ["data.shuffleBuffer=20", "optim.epochs=3"];
  const whole = await pretrain(tarConfig(shards.pattern, overrides), {
    ...quiet,
    runDir: `${out}/whole`,
  });
  assert.equal(whole.steps, 6);
  const part = await pretrain(tarConfig(shards.pattern, [...overrides, "train.maxSteps=3"]), {
    ...quiet,
    runDir: `${out}/split`,
  });
  assert.equal(part.steps, 3); // in the middle of epoch 2 (0-based 1)
  const resumed = await pretrain(tarConfig(shards.pattern, overrides), {
    ...quiet,
    runDir: `${out}/split`,
    resume: true,
  });
  assert.equal(resumed.steps, 6);
  await assertSameRun(`${out}/whole`, `${out}/split`, 6);
});

Deno.test("pretrain on tar shards: fewer samples than one batch fails, naming the count and data.maxSamples", async () => {
  await assert.rejects(
    pretrain(tarConfig(small.pattern, ["data.maxSamples=32"]), {
      ...quiet,
      runDir: `${out}/small`,
    }),
    (e: Error) => {
      assert.match(
        e.message,
        /^epoch 1: 10 usable samples, fewer than the 32 of the 2 micro-batches of 16 pairs planned for an epoch.*data\.maxSamples \(32\)/s,
      );
      return true;
    },
  );
});

Deno.test("pretrain on tar shards: every shard missing under onError skip fails, naming the shards", async () => {
  await assert.rejects(
    pretrain(tarConfig(`${out}/gone-{0..2}.tar`, ["data.onError=skip"]), {
      ...quiet,
      runDir: `${out}/gone`,
    }),
    (e: Error) => {
      assert.match(e.message, /^epoch 1: no usable samples, fewer than the 32 of the 2 micro-/);
      assert.match(
        e.message,
        /3 bad samples skipped in it, e\.g\. .*gone-\d\.tar: no such shard file/,
      );
      return true;
    },
  );
});
