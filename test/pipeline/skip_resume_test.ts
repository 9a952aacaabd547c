/**
 * Resume after skipped samples (`data.onError: skip`): a run stopped after samples of its epoch
 * were skipped checkpoints where its epoch order continues (past the skips), and the resumed run
 * equals an uninterrupted one bitwise, on an image folder and on tar shards.
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { epochPermutation } from "../../src/streams/_epoch_split.ts";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { assertSameRun, fixtureConfig } from "./_fixture.ts";
import { writeImageFolder } from "./_folder_fixture.ts";
import { writeTarShards } from "./_tar_fixture.ts";

const quiet = { progress: false, evaluate: false, log: () => {} };
const out = await Deno.makeTempDir({ prefix: "simclr-skip-resume-" });
const SEED = 3; // fixtureConfig's run.seed
// 40 images, 12 pairs a step: 3 steps an epoch (36 samples), 4 spare. Bad: the images at
// positions 5, 30 and 38 of epoch 1's order, so the first is skipped before step 2's stop.
const perm = epochPermutation(40, SEED, 0);
const badFolder = new Set([perm[5], perm[30], perm[38]]);
const folder = await writeImageFolder(4, 10, badFolder);
// 45 samples in 3 shards, 16 pairs a step: 2 steps an epoch (32 samples), 13 spare; 4 bad
const badTar = new Set([0, 6, 20, 33]);
const shards = await writeTarShards([17, 13, 15], badTar);
globalThis.addEventListener("unload", () => {
  for (const dir of [out, folder, shards.dir]) Deno.removeSync(dir, { recursive: true });
});

/** The checkpoint's stored data position. */
async function dataPosition(runDir: string) {
  const ck = await loadCheckpoint(runFiles(runDir).checkpoint);
  return ck.meta.dataPosition as { epoch: number; nextMicroStep: number; positions?: number[] };
}

/** An uninterrupted run, and one stopped at `stopAt` then resumed; returns the stop's position. */
async function stopAndResume(name: string, overrides: string[], stopAt: number, steps: number) {
  const cfg = (extra: string[] = []) => fixtureConfig("unused", out, [...overrides, ...extra]);
  const whole = await pretrain(cfg(), { ...quiet, runDir: `${out}/${name}-whole` });
  assert.equal(whole.steps, steps);
  const split = `${out}/${name}-split`;
  const part = await pretrain(cfg([`train.maxSteps=${stopAt}`]), { ...quiet, runDir: split });
  assert.equal(part.steps, stopAt);
  const stopped = await dataPosition(split);
  const resumed = await pretrain(cfg(), { ...quiet, runDir: split, resume: true });
  assert.equal(resumed.steps, steps);
  await assertSameRun(`${out}/${name}-whole`, split, steps);
  return stopped;
}

Deno.test("skip: a run stopped after a skip in its epoch resumes bitwise equal (image folder)", async () => {
  const at = await stopAndResume(
    "folder",
    [
      "data.dataset=imagefolder",
      `data.path=${folder}`,
      "data.onError=skip",
      "optim.batchSize=12",
    ],
    2,
    6,
  );
  // independently: the position just past the 24th good sample of epoch 1's order
  let position = 0;
  for (let good = 0; good < 24; position++) if (!badFolder.has(perm[position])) good++;
  assert.equal(position, 25);
  assert.deepEqual(at, { epoch: 0, nextMicroStep: 2, positions: [position] });
});

Deno.test("skip: a run stopped after a skip in its epoch resumes bitwise equal (tar shards)", async () => {
  const at = await stopAndResume(
    "tar",
    [
      "data.dataset=tar",
      `data.path=${shards.pattern}`,
      "data.maxSamples=45",
      "data.shuffleBuffer=20",
      "data.onError=skip",
      "optim.epochs=3",
    ],
    3,
    6,
  );
  assert.equal(at.epoch, 1);
  assert.equal(at.nextMicroStep, 3);
  // samples of epoch 2 were skipped before the stop: its position is past the 16 it trained on
  assert.equal(at.positions?.length, 1);
  assert.ok(at.positions![0] > 16 && at.positions![0] <= 16 + badTar.size, `${at.positions}`);
});
