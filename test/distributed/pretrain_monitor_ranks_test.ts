/**
 * The kNN monitor on 2 ranks under `mpirun`: rank 0 evaluates while the other waits at the
 * barrier (no deadlock, no collective out of order), and training is the same as without it.
 */
import assert from "node:assert/strict";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { checkpointModel, metricLosses, writeFixtureDataset } from "../pipeline/_fixture.ts";
import { mpiSkipReason, mpiTest, runRanks } from "./_mpirun.ts";

const data = mpiSkipReason ? "" : await writeFixtureDataset(96, 32);
const out = mpiSkipReason ? "" : await Deno.makeTempDir({ prefix: "simclr-dist-monitor-" });
globalThis.addEventListener("unload", () => {
  for (const dir of [data, out]) if (dir) Deno.removeSync(dir, { recursive: true });
});

async function train(runDir: string, overrides: string[]): Promise<string> {
  const args = [data, out, runDir, "0", "dist.globalBn=true", ...overrides];
  const r = await runRanks(2, "./_pretrain_worker.ts", args, {
    timeoutMs: 90_000,
    env: { PRETRAIN_LOG: "1" },
  });
  assert.equal(r.timedOut, false, `timed out:\n${r.stderr}`);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal([...r.stdout.matchAll(/^PRETRAIN_DONE \d 2 12 false$/gm)].length, 2, r.stdout);
  return r.stdout;
}

mpiTest(
  "pretrain on 2 ranks with the kNN monitor: it runs on rank 0, training unchanged",
  async () => {
    const log = await train(`${out}/monitored`, ["eval.monitorEvery=1"]);
    // once, before epoch 1 (of 2), on rank 0 alone
    const lines = [
      ...log.matchAll(/^LOG kNN monitor after epoch 1: top-1 [\d.]+%, top-5 [\d.]+%$/gm),
    ];
    assert.equal(lines.length, 1, log);
    assert.doesNotMatch(await train(`${out}/plain`, []), /kNN monitor/);
    const losses = (dir: string) => metricLosses(runFiles(`${out}/${dir}`).metrics);
    assert.deepEqual(await losses("monitored"), await losses("plain"));
    const [a, b] = [
      await checkpointModel(`${out}/monitored`),
      await checkpointModel(`${out}/plain`),
    ];
    for (const [name, va] of a) assert.deepEqual(b.get(name), va, name);
  },
);
