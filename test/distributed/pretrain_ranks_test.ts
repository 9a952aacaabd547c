/**
 * `pretrain()` over 2 ranks under `mpirun` (real input pipeline: IDX fixture, blocked epoch
 * split, augmentation keyed by the global sample index; global BN): the same losses and
 * weights as 1 process with the same global batch (the online linear classifier's loss and
 * weights too: its gradients ride in the same all-reduce), rank 0 alone writing the run
 * directory, and resuming with a different number of ranks than the run was stopped with.
 */
import assert from "node:assert/strict";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { writeFixtureDataset } from "../pipeline/_fixture.ts";
import { mpiSkipReason, mpiTest, run, runRanks } from "./_mpirun.ts";
import { compare, weights } from "./_runs.ts";

const data = mpiSkipReason ? "" : await writeFixtureDataset(96, 32);
const out = mpiSkipReason ? "" : await Deno.makeTempDir({ prefix: "simclr-dist-runs-" });
const GLOBAL_BN = "dist.globalBn=true";
globalThis.addEventListener("unload", () => {
  for (const dir of [data, out]) if (dir) Deno.removeSync(dir, { recursive: true });
});

async function train(
  np: number,
  runDir: string,
  resume: boolean,
  overrides: string[] = [],
  onStdout?: (text: string, child: Deno.ChildProcess) => void,
) {
  const args = [data, out, runDir, resume ? "1" : "0", GLOBAL_BN, ...overrides];
  const script = new URL("./_pretrain_worker.ts", import.meta.url).pathname;
  const r = np === 1
    ? await run([Deno.execPath(), "run", "-A", script, ...args], { timeoutMs: 90_000 })
    : await runRanks(np, "./_pretrain_worker.ts", args, { timeoutMs: 90_000, onStdout });
  assert.equal(r.timedOut, false, `timed out:\n${r.stderr}`);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const done = [...r.stdout.matchAll(/^PRETRAIN_DONE (\d+) (\d+) (\d+) (true|false)$/gm)];
  assert.equal(done.length, np, r.stdout + r.stderr);
  for (const m of done) {
    assert.equal(Number(m[2]), np);
    assert.equal(m[3], done[0][3], "every rank stopped at the same step");
  }
  return Number(done[0][3]);
}

mpiTest("pretrain on 2 ranks: same losses and weights as 1 process, global batch 16", async () => {
  assert.equal(await train(1, `${out}/one`, false), 12);
  assert.equal(await train(2, `${out}/two`, false), 12);
  const e = await compare(`${out}/one`, `${out}/two`);
  console.log(
    `  12 steps: loss rel ${e.loss.toExponential(2)}, weights rel ${e.weights.toExponential(2)}`,
  );
  assert.ok(e.loss < 1e-4, `loss relative error ${e.loss}`);
  assert.ok(e.weights < 1e-4, `weights relative error ${e.weights}`);
  const online = await weights(`${out}/two`);
  assert.ok([...online.keys()].some((k) => k.startsWith("online/")), "the online head trained");
  // rank 0 alone wrote the run directory: one line per step, no duplicates
  const lines = (await Deno.readTextFile(runFiles(`${out}/two`).metrics)).trim().split("\n");
  assert.equal(lines.length, 12);
});

mpiTest(
  "pretrain: stopped on 2 ranks, resumed on 1 (and the reverse), matches an uninterrupted run",
  async () => {
    await train(1, `${out}/whole`, false);
    assert.equal(await train(2, `${out}/2then1`, false, ["train.maxSteps=5"]), 5);
    assert.equal(await train(1, `${out}/2then1`, true), 12);
    assert.equal(await train(1, `${out}/1then2`, false, ["train.maxSteps=7"]), 7);
    assert.equal(await train(2, `${out}/1then2`, true), 12);
    for (const run of ["2then1", "1then2"]) {
      const e = await compare(`${out}/whole`, `${out}/${run}`);
      console.log(
        `  ${run}: loss rel ${e.loss.toExponential(2)}, weights rel ${e.weights.toExponential(2)}`,
      );
      assert.ok(e.loss < 1e-4, `${run}: loss relative error ${e.loss}`);
      assert.ok(e.weights < 1e-4, `${run}: weights relative error ${e.weights}`);
    }
  },
);

mpiTest("pretrain on 2 ranks with 2 accumulated micro-batches matches 1 process", async () => {
  const acc = ["optim.accumulateSteps=2"];
  assert.equal(await train(1, `${out}/acc1`, false, acc), 12);
  assert.equal(await train(2, `${out}/acc2`, false, acc), 12);
  const e = await compare(`${out}/acc1`, `${out}/acc2`);
  console.log(`  loss rel ${e.loss.toExponential(2)}, weights rel ${e.weights.toExponential(2)}`);
  assert.ok(e.loss < 1e-4, `loss relative error ${e.loss}`);
  assert.ok(e.weights < 1e-4, `weights relative error ${e.weights}`);
});

mpiTest(
  "pretrain on 2 ranks: a stop request (SIGUSR2 through mpirun) stops every rank at one step, resuming finishes the run",
  async () => {
    const cfg = ["optim.epochs=3"]; // 18 steps of 16 pairs
    assert.equal(await train(2, `${out}/nostop`, false, cfg), 18);
    const dir = `${out}/stopped`;
    let child: Deno.ChildProcess | undefined;
    let sent = false;
    const poll = setInterval(async () => {
      const text = await Deno.readTextFile(runFiles(dir).metrics).catch(() => "");
      if (child && !sent && text.split("\n").length > 3) {
        sent = true;
        child.kill("SIGUSR2"); // mpirun forwards it to every rank
      }
    }, 20);
    let stoppedAt: number;
    try {
      stoppedAt = await train(2, dir, false, cfg, (_text, c) => child = c);
    } finally {
      clearInterval(poll);
    }
    assert.ok(sent, "the stop was requested");
    assert.ok(stoppedAt > 0 && stoppedAt < 18, `stopped at step ${stoppedAt}`);
    assert.equal(await train(2, dir, true, cfg), 18);
    const e = await compare(`${out}/nostop`, dir);
    console.log(
      `  stopped at step ${stoppedAt}; resumed vs uninterrupted (2 ranks both): loss rel ` +
        `${e.loss.toExponential(2)}, weights rel ${e.weights.toExponential(2)}`,
    );
    assert.ok(e.loss < 1e-6 && e.weights < 1e-6, JSON.stringify(e));
  },
);
