/**
 * Several machines for real: fake hosts as Linux network namespaces (`_netns.ts`), ranks
 * started on them by the launcher (`mpirun` with a hostfile, through an ssh-like agent), so
 * that MPI's and the side channel's traffic crosses interfaces. Checked: 2 hosts x 1 rank
 * train like 1 process with the same global batch; a graceful stop (SIGTERM to the launcher,
 * or to every rank as Slurm sends it) checkpoints and resumes on another number of hosts and
 * ranks, ending where an uninterrupted run does; tar shards served over HTTP by one host
 * are read by ranks on the others; `kill -9` of a whole host stops the survivors within
 * seconds, naming the host and the rank. Skipped, saying why, without root or `ip`.
 */
import assert from "node:assert/strict";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { writeFixtureDataset } from "../pipeline/_fixture.ts";
import { writeTarShards } from "../pipeline/_tar_fixture.ts";
import { FakeCluster, netnsSkipReason } from "./_netns.ts";
import { mpiSkipReason, run, type RunResult } from "./_mpirun.ts";
import { compare, weights } from "./_runs.ts";

/** Views (2 per pair) a second from the run's second logged step to its last. */
async function viewsPerSecond(runDir: string, pairsPerStep: number): Promise<number> {
  const rows = (await Deno.readTextFile(runFiles(runDir).metrics)).trim().split("\n")
    .map((l) => JSON.parse(l) as { step: number; time: string });
  const [first, last] = [rows[0], rows[rows.length - 1]];
  const seconds = (Date.parse(last.time) - Date.parse(first.time)) / 1000;
  return (2 * pairsPerStep * (last.step - first.step)) / seconds;
}

const skip = netnsSkipReason ?? mpiSkipReason;
const deno = Deno.execPath();
const launcher = new URL("../../src/distributed/launch.ts", import.meta.url).pathname;
const worker = new URL("./_pretrain_worker.ts", import.meta.url).pathname;
const server = new URL("./_shard_server.ts", import.meta.url).pathname;
const GLOBAL_BN = "dist.globalBn=true";

interface Trained extends RunResult {
  /** Steps every rank reports (all equal). */
  steps: number;
  ranks: number;
}

/** The ranks' `PRETRAIN_DONE rank size steps stopped` lines: all ranks, one step count. */
function finished(r: RunResult, np: number): Trained {
  const done = [...r.stdout.matchAll(/^PRETRAIN_DONE (\d+) (\d+) (\d+) (true|false)$/gm)];
  assert.equal(done.length, np, r.stdout + r.stderr);
  for (const m of done) {
    assert.equal(Number(m[2]), np);
    assert.equal(m[3], done[0][3], "every rank stopped at the same step");
  }
  return { ...r, steps: Number(done[0][3]), ranks: np };
}

/** Polls the run's metrics until they hold more than `lines` lines, then calls `then`. */
function afterSteps(runDir: string, lines: number, then: () => void | Promise<void>) {
  let fired = false;
  const timer = setInterval(async () => {
    const text = await Deno.readTextFile(runFiles(runDir).metrics).catch(() => "");
    if (!fired && text.trim().split("\n").length > lines) {
      fired = true;
      clearInterval(timer);
      await then();
    }
  }, 20);
  return {
    stop: () => clearInterval(timer),
    get fired() {
      return fired;
    },
  };
}

Deno.test({
  name:
    "multi-host (network namespaces): training, graceful stop and resume, HTTP shards, a host killed",
  ignore: skip !== null,
  fn: async (t) => {
    const data = await writeFixtureDataset(96, 32);
    const out = await Deno.makeTempDir({ prefix: "simclr-multihost-" });
    const cluster = await FakeCluster.create(3);
    const [h1, h2, h3] = cluster.hosts;
    const R = (rank: number, host: { name: string }) => `rank ${rank} \\(host ${host.name}\\)`;

    /** The launcher on host 1 with `launch` arguments, running the pretrain worker. */
    const launch = (
      launchArgs: string[],
      workerArgs: string[],
      options: Parameters<typeof run>[1] = {},
    ) =>
      run(
        cluster.command(0, [
          deno,
          "run",
          "-A",
          launcher,
          ...launchArgs,
          "--",
          deno,
          "run",
          "-A",
          worker,
          ...workerArgs,
        ]),
        { timeoutMs: 120_000, ...options, env: { ...cluster.mpiEnv, ...options.env } },
      );
    const onHosts = async (
      which: number[],
    ) => ["--hostfile", await cluster.hostfile(which), "--iface", cluster.network];
    const args = (runDir: string, resume: boolean, ...overrides: string[]) => [
      data,
      out,
      runDir,
      resume ? "1" : "0",
      GLOBAL_BN,
      ...overrides,
    ];

    try {
      await t.step(
        "2 hosts x 1 rank: same losses and weights as 1 process with the global batch",
        async () => {
          const one = await run([deno, "run", "-A", worker, ...args(`${out}/one`, false)], {
            timeoutMs: 90_000,
          });
          assert.equal(one.code, 0, one.stderr);
          assert.equal(finished(one, 1).steps, 12);
          const before = await cluster.traffic(1);
          const two = finished(await launch(await onHosts([0, 1]), args(`${out}/two`, false)), 2);
          assert.equal(two.code, 0, two.stderr);
          assert.equal(two.steps, 12);
          const sent = (await cluster.traffic(1)).tx - before.tx;
          const e = await compare(`${out}/one`, `${out}/two`);
          // every step all-reduces every gradient: host 2 sends at least 4 bytes per parameter
          let params = 0;
          for (const w of (await weights(`${out}/two`)).values()) params += w.length;
          const rate = (dir: string) =>
            viewsPerSecond(`${out}/${dir}`, 16).then((r) => r.toFixed(1));
          const secs = (r: RunResult) => (r.ms / 1000).toFixed(1);
          console.log(
            `  2 hosts: ${two.steps} steps in ${secs(two)} s with start-up (1 process: ` +
              `${secs(one)} s), ${await rate("two")} views/s after the first step (1 process: ` +
              `${await rate("one")}); host 2 sent ${(sent / 1e6).toFixed(1)} MB for ${params} ` +
              `floats of weights; loss rel ${e.loss.toExponential(2)}, weights rel ` +
              e.weights.toExponential(2),
          );
          assert.ok(e.loss < 1e-4, `loss relative error ${e.loss}`);
          assert.ok(e.weights < 1e-4, `weights relative error ${e.weights}`);
          assert.ok(sent > (two.steps * 4 * params) / 2, `host 2 sent only ${sent} bytes`);
        },
      );

      await t.step(
        "SIGTERM to the launcher (2 hosts), then to every rank (1 host x 2 ranks, as Slurm does): each checkpoints; resumed in 1 process",
        async () => {
          const dir = `${out}/stopped`;
          let child: Deno.ChildProcess | undefined;
          const stop = afterSteps(dir, 2, () => child?.kill("SIGTERM"));
          let first: Trained;
          try {
            first = finished(
              await launch(await onHosts([0, 1]), args(dir, false), {
                onStdout: (_s, c) => (child = c),
              }),
              2,
            );
          } finally {
            stop.stop();
          }
          assert.ok(stop.fired, "the stop was sent");
          assert.match(first.stderr, /stopping: every rank finishes its step/);
          assert.ok(first.steps > 0 && first.steps < 12, `stopped at step ${first.steps}`);
          // resumed on one host; SIGTERM straight to each rank process
          const ranks = async () => {
            const pids = []; // the processes mpirun started (not mpirun, not the launcher)
            for (const pid of await cluster.pids(0)) {
              const env = await Deno.readTextFile(`/proc/${pid}/environ`).catch(() => "");
              if (env.split("\0").some((v) => v.startsWith("OMPI_COMM_WORLD_RANK="))) {
                pids.push(pid);
              }
            }
            return pids;
          };
          let signalled: number[] = [];
          const stop2 = afterSteps(dir, first.steps + 1, async () => {
            signalled = await ranks();
            for (const pid of signalled) Deno.kill(pid, "SIGTERM");
          });
          let second: Trained;
          try {
            second = finished(await launch(["-n", "2"], args(dir, true)), 2);
          } finally {
            stop2.stop();
          }
          assert.equal(signalled.length, 2, "both ranks were signalled");
          assert.equal(second.code, 0, second.stderr);
          assert.ok(
            second.steps > first.steps && second.steps < 12,
            `stopped at step ${second.steps}`,
          );
          const last = await run([deno, "run", "-A", worker, ...args(dir, true)], {
            timeoutMs: 90_000,
          });
          assert.equal(last.code, 0, last.stderr);
          assert.equal(finished(last, 1).steps, 12);
          const e = await compare(`${out}/one`, dir);
          console.log(
            `  stopped at step ${first.steps} on 2 hosts, at ${second.steps} on 1 host x 2 ranks, ` +
              `finished in 1 process: loss rel ${e.loss.toExponential(2)}, weights rel ` +
              `${e.weights.toExponential(2)} vs 1 process throughout`,
          );
          assert.ok(e.loss < 1e-4 && e.weights < 1e-4, JSON.stringify(e));
        },
      );

      await t.step(
        "tar shards served over HTTP by host 3, read by ranks on hosts 1 and 2",
        async () => {
          const shards = (await writeTarShards([8, 8, 8, 8])).dir;
          const cmd = cluster.command(2, [deno, "run", "-A", server, shards, h3.addr]);
          const srv = new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped" }).spawn();
          const log: string[] = [];
          let port!: (p: number) => void;
          const listening = new Promise<number>((r) => (port = r));
          const reading = (async () => {
            for await (const chunk of srv.stdout.pipeThrough(new TextDecoderStream())) {
              log.push(...chunk.split("\n").filter(Boolean));
              const m = chunk.match(/LISTENING (\d+)/);
              if (m) port(Number(m[1]));
            }
          })();
          try {
            const url = `http://${h3.addr}:${await listening}/part-{00..03}.tar`;
            const r = finished(
              await launch(await onHosts([0, 1]), [
                data,
                out,
                `${out}/http`,
                "0",
                GLOBAL_BN,
                "data.dataset=tar",
                `data.path=${url}`,
                "data.maxSamples=32",
              ]),
              2,
            );
            assert.equal(r.code, 0, r.stderr);
            assert.equal(
              r.steps,
              4,
              `2 epochs of 32 samples, 16 a step:\n${r.stderr}\n${log.join("\n")}`,
            );
            const gets = log.filter((l) => l.startsWith("GET "));
            assert.ok(gets.every((l) => / 200 /.test(l)), log.join("\n"));
            // each epoch reads every shard once, split between the two hosts
            const perShard = new Map<string, number>();
            for (const l of gets) {
              perShard.set(l.split(" ")[1], (perShard.get(l.split(" ")[1]) ?? 0) + 1);
            }
            assert.deepEqual([...perShard.keys()].sort(), [
              "/part-00.tar",
              "/part-01.tar",
              "/part-02.tar",
              "/part-03.tar",
            ]);
            assert.ok(
              [...perShard.values()].every((n) => n === 2),
              JSON.stringify([...perShard]),
            );
            const clients = new Set(gets.map((l) => l.split(" ")[3]));
            assert.deepEqual([...clients].sort(), [h1.addr, h2.addr]);
            console.log(
              `  ${gets.length} shard reads over HTTP from ${[...clients].join(" and ")}`,
            );
          } finally {
            srv.kill("SIGKILL");
            await reading.catch(() => {});
            await srv.status;
            await Deno.remove(shards, { recursive: true });
          }
        },
      );

      await t.step(
        "kill -9 of every process on host 3: ranks on hosts 1 and 2 stop within seconds, naming it",
        async () => {
          const dir = `${out}/killed`;
          let killedAt = 0, killed = 0;
          const seen = new Map<number, number>();
          const stop = afterSteps(dir, 2, async () => {
            killedAt = Date.now();
            killed = await cluster.killAll(2);
          });
          const who = (r: number) =>
            new RegExp(`${R(r, cluster.hosts[r])} stops: ${R(2, h3)} failed at step \\d+`);
          let r: RunResult;
          try {
            r = await launch(
              await onHosts([0, 1, 2]),
              args(dir, false, "optim.batchSize=12", "optim.epochs=40"),
              {
                onStderr: (text) => {
                  for (const rank of [0, 1]) {
                    if (!seen.has(rank) && killedAt && who(rank).test(text)) {
                      seen.set(rank, Date.now() - killedAt);
                    }
                  }
                },
              },
            );
          } finally {
            stop.stop();
          }
          const ended = Date.now() - killedAt;
          assert.ok(stop.fired && killed >= 2, `killed ${killed} processes on host 3`);
          assert.equal(r.timedOut, false, r.stderr);
          assert.notEqual(r.code, 0);
          for (const rank of [0, 1]) {
            assert.match(r.stderr, who(rank), r.stderr);
          }
          assert.match(r.stderr, /the process ended without closing its communicator/);
          console.log(
            `  killed ${killed} processes on ${h3.name}; rank 0 reported it after ${
              seen.get(0)
            } ms, ` +
              `rank 1 after ${
                seen.get(1)
              } ms (as the launcher's output showed it); the job ended ` +
              `after ${ended} ms`,
          );
          for (const rank of [0, 1]) {
            assert.ok(seen.get(rank)! < 5_000, `rank ${rank}: ${seen.get(rank)} ms`);
          }
          assert.ok(ended < 15_000, `the job ended ${ended} ms after the kill`);
        },
      );
    } finally {
      await cluster.destroy();
      for (const dir of [data, out]) await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

if (skip) console.log(`skipping the multi-host test: ${skip}`);
