/**
 * `pretrain()` with gradient accumulation: when the epoch's micro-batches are not a multiple of k
 * the plan and the input still agree (a resume is exact, the monitor runs at epoch starts), and a
 * stop asked inside an accumulation group waits for the group's end, so that the resumed run is
 * the uninterrupted one, bitwise.
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { assertSameRun, fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

const ninety = await writeFixtureDataset(90, 32);
const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-accumulate-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [ninety, data, out]) Deno.removeSync(dir, { recursive: true });
});
const quiet = { progress: false, evaluate: false, log: () => {} };

Deno.test("pretrain: N 90, batch 24 in 2 micro-batches (7 an epoch, 6 used): resumed at step 4 equals the uninterrupted run", async () => {
  const cfg = (extra: string[] = []) =>
    fixtureConfig(ninety, out, [
      "optim.batchSize=24",
      "optim.accumulateSteps=2",
      "optim.epochs=3",
      ...extra,
    ]);
  const lines: string[] = [];
  const whole = await pretrain(cfg(["eval.monitorEvery=1"]), {
    ...quiet,
    runDir: `${out}/ninety-whole`,
    log: (l) => lines.push(l),
  });
  assert.equal(whole.plan.microStepsPerEpoch, 6);
  assert.equal(whole.steps, 9);
  // the monitor runs twice, before epochs 1 and 2 (0-based): at their first micro-batch
  assert.equal(lines.filter((l) => l.startsWith("kNN monitor after epoch")).length, 2);
  const part = await pretrain(cfg(["train.maxSteps=4"]), { ...quiet, runDir: `${out}/ninety` });
  assert.equal(part.steps, 4);
  const resumed = await pretrain(cfg(), { ...quiet, runDir: `${out}/ninety`, resume: true });
  assert.equal(resumed.steps, 9);
  await assertSameRun(`${out}/ninety-whole`, `${out}/ninety`, 9);
});

/** An abort signal that turns on when the training loop reads it the `n`-th time (0-based). */
function abortedFromRead(n: number): AbortSignal {
  let reads = 0;
  return {
    get aborted() {
      return reads++ >= n;
    },
  } as AbortSignal;
}

Deno.test("pretrain: a stop asked inside an accumulation group ends at the group's end; resumed, the run is the uninterrupted one", async () => {
  // 96 samples, 16 pairs a step in 2 micro-batches of 8: 12 micro-batches, 6 steps an epoch
  const cfg = () =>
    fixtureConfig(data, out, ["optim.accumulateSteps=2", "optim.epochs=1", "train.logEvery=1"]);
  await pretrain(cfg(), { ...quiet, runDir: `${out}/group-whole` });
  // asked while micro-batch 5 is read: the second of step 3's group (4, 5)
  const stopped = await pretrain(cfg(), {
    ...quiet,
    runDir: `${out}/group`,
    signal: abortedFromRead(5),
  });
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.steps, 3); // micro-batches 0..5: three whole steps, none partial
  const resumed = await pretrain(cfg(), { ...quiet, runDir: `${out}/group`, resume: true });
  assert.equal(resumed.steps, 6);
  await assertSameRun(`${out}/group-whole`, `${out}/group`, 6);
});
