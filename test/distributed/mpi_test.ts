/** The MPI communicator with real processes under `mpirun` (skipped when it is absent). */
import assert from "node:assert/strict";
import { mpiTest, run, runRanks } from "./_mpirun.ts";
import { strayMessages } from "./_strays.ts";

/** How messages name rank `n` under MPI: with its host. */
const R = (n: number) => `rank ${n} \\(host [^)]+\\)`;

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
    ["throw", `${R(1)} failed at step 7: Error: injected failure at step 7`],
    ["kill", `${R(1)} failed at step 7: the process ended without closing its communicator`],
    ["exit0", `${R(1)} failed at step 7: the process ended without closing its communicator`],
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
          if (!sawAt && new RegExp(`${R(0)} stops`).test(text)) sawAt = Date.now();
        },
      });
      assert.equal(r.timedOut, false, `hung:\n${r.stderr}`);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`${R(0)} stops: ${reason}`), r.stderr);
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
    new RegExp(`${R(1)} stops: ${R(0)} failed at step 4: Error: injected failure at step 4`),
    a.stderr,
  );
  const b = await runRanks(3, "./_fault_worker.ts", ["kill", "4", "async", "2"], {
    timeoutMs: 30_000,
  });
  assert.equal(b.timedOut, false, b.stderr);
  for (const survivor of [0, 1]) {
    assert.match(
      b.stderr,
      new RegExp(`${R(survivor)} stops: ${R(2)} failed at step 4: the process ended`),
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

mpiTest(
  "mpi: idle connections, a stray HTTP GET and forged messages on rank 0's side-channel port leave a 2-rank job unharmed",
  async () => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const strays = await strayMessages();
    const payloads = ["", strays.http, strays.fail, strays.hello];
    // An attacker who knows the port (here: SIMCLR_DIST_PORT) connects in a loop from before
    // the job starts to its end, so that connections land while rank 0 waits for rank 1.
    for (let attempt = 1;; attempt++) {
      let stop = false, landed = 0;
      const held: Deno.Conn[] = [];
      const attacker = (async () => {
        while (!stop) {
          try {
            const c = await Deno.connect({ hostname: "127.0.0.1", port });
            const p = payloads[landed++ % payloads.length];
            held.push(c);
            if (p) await c.write(new TextEncoder().encode(p)).catch(() => {});
          } catch {
            await new Promise((r) => setTimeout(r, 0)); // not listening (yet, or any more)
          }
        }
      })();
      const r = await runRanks(2, "./_fault_worker.ts", ["none", "5"], {
        timeoutMs: 60_000,
        env: { SIMCLR_DIST_PORT: String(port) },
      });
      stop = true;
      await attacker;
      for (const c of held) {
        try {
          c.close();
        } catch { /* closed by rank 0 */ }
      }
      assert.equal(r.timedOut, false, r.stderr);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /rank 0 done/);
      assert.match(r.stdout, /rank 1 done/);
      assert.doesNotMatch(r.stderr, /failed|INJECTED|stops/, r.stderr);
      const logged = r.stderr.match(/side channel \(rank 0\): ignored/g) ?? [];
      console.log(`  attempt ${attempt}: ${landed} connections landed; logged ${logged.length}`);
      if (landed > 0) {
        assert.equal(logged.length, 1, `logged once:\n${r.stderr}`);
        break;
      }
      assert.equal(logged.length, 0);
      assert.ok(attempt < 5, "no connection landed while rank 0 was listening");
    }
  },
);
