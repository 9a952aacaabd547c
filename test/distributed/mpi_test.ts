/** The MPI communicator with real processes under `mpirun` (skipped when it is absent). */
import assert from "node:assert/strict";
import { mpiTest, run, runRanks } from "./_mpirun.ts";

mpiTest("mpi: every collective gives the right result on 2 and 3 ranks", async () => {
  for (const np of [2, 3]) {
    const r = await runRanks(np, "./_collectives_worker.ts", [], { timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, `timed out:\n${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    for (let rank = 0; rank < np; rank++) {
      assert.match(r.stdout, new RegExp(`^OK ${rank} ${np}$`, "m"), r.stdout + r.stderr);
    }
  }
});

mpiTest("mpi: ranks started with different settings fail at start on every rank", async () => {
  const r = await runRanks(3, "./_collectives_worker.ts", ["mismatch"], { timeoutMs: 60_000 });
  assert.equal(r.timedOut, false, r.stderr);
  for (let rank = 0; rank < 3; rank++) {
    assert.match(
      r.stdout,
      new RegExp(`^MISMATCH ${rank} bad launch: .*rank 1 has [0-9a-f]+, rank 2 has`, "m"),
      r.stdout + r.stderr,
    );
  }
});

for (
  const [mode, reason] of [
    ["throw", /rank 1 failed at step 7: Error: injected failure at step 7/],
    ["kill", /rank 1 failed at step 7: the process ended without closing its communicator/],
    ["exit0", /rank 1 failed at step 7: the process ended without closing its communicator/],
  ] as const
) {
  for (const sync of [false, true]) {
    if (sync && mode === "exit0") continue;
    const how = sync ? "blocked in allReduceSync" : "awaiting allReduce";
    mpiTest(`mpi: rank 1 failing by '${mode}' at step 7 stops rank 0 (${how})`, async () => {
      let sawAt = 0;
      const r = await runRanks(2, "./_fault_worker.ts", [mode, "7", sync ? "sync" : "async"], {
        timeoutMs: 30_000,
        onStderr: (text) => {
          if (!sawAt && /rank 0 stops/.test(text)) sawAt = Date.now();
        },
      });
      assert.equal(r.timedOut, false, `hung:\n${r.stderr}`);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`rank 0 stops: ${reason.source}`), r.stderr);
      const failingAt = Number(/FAILING_AT (\d+)/.exec(r.stdout)?.[1]);
      const ms = sawAt - failingAt;
      assert.ok(ms >= 0 && ms < 3000, `rank 0 reported the failure ${ms} ms after it`);
      const own = Number(/T_DETECT (\d+)/.exec(r.stderr)?.[1]) - 300; // rank 1 waits 300 ms
      console.log(
        `  ${
          Number.isFinite(own)
            ? `rank 0 saw it ${own} ms after, by its own clock`
            : "rank 0 was blocked: its side-channel worker ends it 500 ms after seeing it"
        }; the launcher printed it ${ms} ms after (mpirun holds ` +
          `output while it kills); the job ended in ${r.ms.toFixed(0)} ms`,
      );
    });
  }
}

mpiTest("mpi: rank 0 throwing stops the others; rank 2 killed is relayed to rank 1", async () => {
  const a = await runRanks(2, "./_fault_worker.ts", ["throw", "4", "async", "0"], {
    timeoutMs: 30_000,
  });
  assert.equal(a.timedOut, false, a.stderr);
  assert.match(
    a.stderr,
    /rank 1 stops: rank 0 failed at step 4: Error: injected failure at step 4/,
    a.stderr,
  );
  const b = await runRanks(3, "./_fault_worker.ts", ["kill", "4", "async", "2"], {
    timeoutMs: 30_000,
  });
  assert.equal(b.timedOut, false, b.stderr);
  for (const survivor of [0, 1]) {
    assert.match(
      b.stderr,
      new RegExp(`rank ${survivor} stops: rank 2 failed at step 4: the process ended`),
      b.stderr,
    );
  }
});

mpiTest(
  "mpi: gathered NT-Xent candidates and global BN (sync collectives) match one process",
  async () => {
    for (const np of [2, 3]) {
      const r = await runRanks(np, "./_gather_worker.ts", [], { timeoutMs: 90_000 });
      assert.equal(r.timedOut, false, r.stderr);
      for (let rank = 0; rank < np; rank++) {
        const m = new RegExp(`^GATHER_OK ${rank} (\\S+) (\\S+)$`, "m").exec(r.stdout);
        assert.ok(m, r.stdout + r.stderr);
        assert.ok(Number(m[1]) < 1e-6, `loss rel. err ${m[1]}`);
        assert.ok(Number(m[2]) < 1e-5, `gradient rel. err ${m[2]}`);
        const bn = new RegExp(`^GLOBAL_BN_OK ${rank} (\\S+)$`, "m").exec(r.stdout);
        assert.ok(bn && Number(bn[1]) < 1e-5, `global BN: ${bn?.[1]}\n${r.stdout}`);
      }
    }
  },
);

mpiTest("mpi: ranks that end without closing the communicator do not hang", async () => {
  const r = await runRanks(2, "./_fault_worker.ts", ["noclose", "100"], { timeoutMs: 30_000 });
  assert.equal(r.timedOut, false, r.stderr);
  assert.match(r.stdout, /rank 0 done/);
  assert.match(r.stderr, /the process ends without closing its communicator/);
});

mpiTest(
  "mpi: with a timeout, a rank that hangs (alive) is reported instead of waited for",
  async () => {
    const r = await runRanks(2, "./_fault_worker.ts", ["hang", "5"], {
      timeoutMs: 40_000,
      env: { SIMCLR_DIST_TIMEOUT_S: "2" },
    });
    assert.equal(r.timedOut, false, r.stderr);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /at step 5: MPI_Allreduce did not complete within 2000 ms on rank 0/);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  },
);

async function stopTest(viaLauncher: boolean) {
  const checkpoint = await Deno.makeTempFile({ suffix: ".ckpt" });
  await Deno.remove(checkpoint);
  let signalled = false;
  const onStdout = (text: string, child: Deno.ChildProcess) => {
    if (!signalled && /^STEP 3$/m.test(text)) {
      signalled = true;
      child.kill("SIGINT"); // what Ctrl-C sends
    }
  };
  const worker = new URL("./_stop_worker.ts", import.meta.url).pathname;
  const r = viaLauncher
    ? await run([
      Deno.execPath(),
      "run",
      "-A",
      new URL("../../src/distributed/launch.ts", import.meta.url).pathname,
      "-n",
      "2",
      "--",
      Deno.execPath(),
      "run",
      "-A",
      worker,
      checkpoint,
    ], { timeoutMs: 60_000, onStdout })
    : await runRanks(2, "./_stop_worker.ts", [checkpoint], { timeoutMs: 60_000, onStdout });
  try {
    assert.equal(r.timedOut, false, r.stderr);
    assert.ok(signalled, r.stdout + r.stderr);
    const s0 = /^STOPPED 0 (\d+)$/m.exec(r.stdout)?.[1];
    const s1 = /^STOPPED 1 (\d+)$/m.exec(r.stdout)?.[1];
    assert.ok(s0 !== undefined && s0 === s1, `ranks stopped at ${s0} and ${s1}:\n${r.stdout}`);
    assert.equal(await Deno.readTextFile(checkpoint), `step ${s0}\n`);
    if (viaLauncher) assert.equal(r.code, 0, r.stderr);
  } finally {
    await Deno.remove(checkpoint).catch(() => {});
  }
}

mpiTest("mpi: Ctrl-C on the launcher stops every rank after rank 0's checkpoint", async () => {
  await stopTest(true);
});

mpiTest(
  "mpi: Ctrl-C on plain mpirun (SIGTERM, then SIGKILL 1 s later) still checkpoints",
  async () => {
    await stopTest(false);
  },
);
