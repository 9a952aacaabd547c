/**
 * Resume after skipped samples on 2 ranks under `mpirun`, on an image folder and on tar shards:
 * each rank replaces its skipped samples from its share of the epoch's spare samples, rank 0's
 * checkpoint holds every rank's position in its part of the epoch, a resume on 2 ranks equals the
 * uninterrupted run bitwise, and one on 1 rank is refused, saying why and what to do, before it
 * touches the run directory.
 */
import assert from "node:assert/strict";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { epochPermutation } from "../../src/streams/_epoch_split.ts";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { assertSameRun } from "../pipeline/_fixture.ts";
import { writeImageFolder } from "../pipeline/_folder_fixture.ts";
import { writeTarShards } from "../pipeline/_tar_fixture.ts";
import { mpiSkipReason, mpiTest, run, runRanks } from "./_mpirun.ts";

// 40 images, 16 pairs a step (8 a rank): 2 steps an epoch. Rank r's part of an epoch: positions
// [8r, 8r + 8) and [16 + 8r, 24 + 8r) of its order, then the tail 32 + r, 34 + r, ... (4 spares).
// Bad in epoch 1: rank 0's 3rd sample (before the stop after step 1), rank 0's 13th and rank 1's
// 12th (after it).
const perm = epochPermutation(40, 3, 0); // the fixture's run.seed
const bad = new Set([perm[2], perm[20], perm[27]]);
const folder = mpiSkipReason ? "" : await writeImageFolder(4, 10, bad);
// 4 shards of 11 (2 a rank each epoch), 44 samples an epoch: 2 steps, each rank reads 22 of which
// it trains on 16; the first 2 samples of every shard are bad (4 a rank and epoch)
const shards = mpiSkipReason
  ? undefined
  : await writeTarShards([11, 11, 11, 11], new Set([0, 1, 11, 12, 22, 23, 33, 34]));
const out = mpiSkipReason ? "" : await Deno.makeTempDir({ prefix: "simclr-dist-skip-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [folder, out, shards?.dir]) if (dir) Deno.removeSync(dir, { recursive: true });
});
const onFolder = ["data.dataset=imagefolder", `data.path=${folder}`];
const onShards = [
  "data.dataset=tar",
  `data.path=${shards?.pattern}`,
  "data.maxSamples=44",
  "data.shuffleBuffer=20",
];

/** `pretrain()` on `np` ranks (1: a plain process); its exit code, output and steps. */
async function train(np: number, runDir: string, resume: boolean, overrides: string[]) {
  const settings = ["dist.globalBn=true", "data.onError=skip", ...overrides];
  const args = [folder, out, runDir, resume ? "1" : "0", ...settings];
  const script = new URL("./_pretrain_worker.ts", import.meta.url).pathname;
  const r = np === 1
    ? await run([Deno.execPath(), "run", "-A", script, ...args], { timeoutMs: 90_000 })
    : await runRanks(np, "./_pretrain_worker.ts", args, { timeoutMs: 90_000 });
  assert.equal(r.timedOut, false, `timed out:\n${r.stderr}`);
  const done = [...r.stdout.matchAll(/^PRETRAIN_DONE (\d+) (\d+) (\d+) (true|false)$/gm)];
  return { ...r, steps: done.map((m) => Number(m[3])) };
}

mpiTest(
  "skip on 2 ranks: stopped after a skip, resumed on 2 ranks bitwise equal; on 1 refused",
  async () => {
    const whole = await train(2, `${out}/whole`, false, onFolder);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(whole.steps, [4, 4]);
    const split = `${out}/split`;
    const part = await train(2, split, false, [...onFolder, "train.maxSteps=1"]);
    assert.equal(part.code, 0, part.stderr);
    assert.deepEqual(part.steps, [1, 1]);
    const ck = await loadCheckpoint(runFiles(split).checkpoint);
    // rank 0 skipped one sample of its first micro-batch, rank 1 none
    assert.deepEqual(ck.meta.dataPosition, { epoch: 0, nextMicroStep: 1, positions: [9, 8] });

    const one = await train(1, split, true, onFolder);
    assert.notEqual(one.code, 0, one.stdout);
    assert.match(
      one.stderr,
      /cannot resume \S+checkpoint\.safetensors on 1 rank: it was written by 2 ranks inside epoch 1 \(after 1 of its 2 micro-batches\), and samples were skipped \(data\.onError: skip\) in that epoch before it: each rank continues the epoch from its own position \(9, 8; 8 each without skips\), which 1 rank cannot take over exactly; resume on 2 ranks/,
    );
    const metrics = (await Deno.readTextFile(runFiles(split).metrics)).trim().split("\n");
    assert.equal(metrics.length, 1, "the refused resume left the run as it was");

    const resumed = await train(2, split, true, onFolder);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(resumed.steps, [4, 4]);
    await assertSameRun(`${out}/whole`, split, 4);
  },
);

mpiTest(
  "skip on 2 ranks, tar shards: stopped after skips, resumed on 2 ranks bitwise equal; on 1 refused",
  async () => {
    const whole = await train(2, `${out}/tar-whole`, false, onShards);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(whole.steps, [4, 4]);
    const split = `${out}/tar-split`;
    const part = await train(2, split, false, [...onShards, "train.maxSteps=1"]);
    assert.equal(part.code, 0, part.stderr);
    const ck = await loadCheckpoint(runFiles(split).checkpoint);
    const at = ck.meta.dataPosition as { positions: number[] };
    // every rank trained on 8 samples; a rank that met bad ones before them is further on
    assert.equal(at.positions.length, 2);
    assert.ok(at.positions.every((p) => p >= 8 && p <= 12), `${at.positions}`);
    assert.ok(at.positions.some((p) => p > 8), `no skip before the stop: ${at.positions}`);

    const one = await train(1, split, true, onShards);
    assert.notEqual(one.code, 0, one.stdout);
    assert.match(
      one.stderr,
      /cannot resume \S+ on 1 rank: it was written by 2 ranks inside epoch 1 .*tar shards are split among the ranks by shard/,
    );
    const resumed = await train(2, split, true, onShards);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(resumed.steps, [4, 4]);
    await assertSameRun(`${out}/tar-whole`, split, 4);
  },
);
