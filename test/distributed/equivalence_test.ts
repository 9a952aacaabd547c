/**
 * The acceptance criterion of data-parallel training: 2 ranks with local batch B give, step
 * by step over several LARS steps, the same loss and the same weights (relative error under
 * 1e-5) as 1 rank with batch 2B and the same seed, with global BN on. Runs the trainer in
 * `_equivalence_worker.ts` under `mpirun -np 2` and alone (skipped when mpirun is absent).
 */
import assert from "node:assert/strict";
import { mpiTest, run, runRanks } from "./_mpirun.ts";

interface Record {
  loss: number[];
  accuracy: number[];
  weights: number[][];
}

/** max |a - b| / max |b| (0 when both are zero). */
function relErr(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

async function runWorker(np: number, dir: string, pairs: number, steps: number, extra = "") {
  const out = `${dir}/np${np}${extra}.json`;
  const args = [out, String(pairs), String(steps), ...(extra ? [extra] : [])];
  const script = new URL("./_equivalence_worker.ts", import.meta.url).pathname;
  const r = np === 1
    ? await run([Deno.execPath(), "run", "-A", script, ...args], { timeoutMs: 60_000 })
    : await runRanks(np, "./_equivalence_worker.ts", args, { timeoutMs: 60_000 });
  assert.equal(r.timedOut, false, `timed out:\n${r.stderr}`);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (let rank = 0; rank < np; rank++) {
    assert.match(r.stdout, new RegExp(`^EQUIV_DONE ${rank} ${np}$`, "m"), r.stdout + r.stderr);
  }
  return JSON.parse(await Deno.readTextFile(out)) as Record;
}

mpiTest(
  "dist equivalence: 2 ranks x batch B == 1 rank x batch 2B, loss and weights per LARS step",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "dist_equiv_" });
    try {
      const steps = 5, pairs = 8;
      const one = await runWorker(1, dir, pairs, steps);
      const two = await runWorker(2, dir, pairs, steps);
      assert.equal(one.loss.length, steps);
      assert.equal(two.loss.length, steps);
      assert.deepEqual(one.weights[0], two.weights[0], "same initial weights");
      const lines: string[] = [];
      for (let s = 0; s < steps; s++) {
        const lossErr = Math.abs(two.loss[s] - one.loss[s]) / Math.abs(one.loss[s]);
        const wErr = relErr(two.weights[s + 1], one.weights[s + 1]);
        const delta = (w: number[][]) => w[s + 1].map((v, i) => v - w[0][i]);
        const dErr = relErr(delta(two.weights), delta(one.weights));
        lines.push(
          `  step ${s + 1}: loss ${one.loss[s].toFixed(6)} vs ${two.loss[s].toFixed(6)} ` +
            `(rel ${lossErr.toExponential(2)}), weights rel ${wErr.toExponential(2)}, ` +
            `updates since init rel ${dErr.toExponential(2)}`,
        );
        assert.ok(lossErr < 1e-5, `step ${s + 1}: loss relative error ${lossErr}`);
        assert.ok(wErr < 1e-5, `step ${s + 1}: weights relative error ${wErr}`);
        assert.ok(dErr < 1e-4, `step ${s + 1}: weight updates relative error ${dErr}`);
        // the weights do move: the comparison is not of untouched parameters
        assert.ok(relErr(one.weights[s + 1], one.weights[0]) > 1e-4);
      }
      console.log(lines.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

mpiTest(
  "dist equivalence: with local BN, 2 ranks differ from 1 rank (global BN matters)",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "dist_equiv_" });
    try {
      const one = await runWorker(1, dir, 8, 2);
      const two = await runWorker(2, dir, 8, 2, "localBn");
      const lossErr = Math.abs(two.loss[0] - one.loss[0]) / Math.abs(one.loss[0]);
      assert.ok(lossErr > 1e-4, `local BN should change the loss (rel ${lossErr})`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

mpiTest(
  "dist: weights that diverge on one rank stop every rank with an error naming it",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "dist_equiv_" });
    try {
      const r = await runRanks(2, "./_equivalence_worker.ts", [
        `${dir}/x.json`,
        "8",
        "4",
        "diverge",
      ], {
        timeoutMs: 60_000,
      });
      assert.equal(r.timedOut, false, r.stderr);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /the weights diverged across ranks after step 2: rank 0 has [0-9a-f]{12}, rank 1 has [0-9a-f]{12}/,
      );
      assert.doesNotMatch(r.stdout, /EQUIV_DONE/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
