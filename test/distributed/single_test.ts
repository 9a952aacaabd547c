import assert from "node:assert/strict";
import {
  assertSameConfig,
  createCommunicator,
  DistError,
  SingleCommunicator,
} from "../../src/distributed/mod.ts";
import { configHash } from "../../src/distributed/_compare_ranks.ts";
import { detectLaunch } from "../../src/distributed/_launch_env.ts";
import { loadMpi } from "../../src/distributed/mpi_lib.ts";

Deno.test("the single communicator: size 1, collectives are the identity", async () => {
  const comm = new SingleCommunicator({ listenForStop: false });
  assert.equal(comm.rank, 0);
  assert.equal(comm.size, 1);
  const a = new Float32Array([1, 2]);
  assert.equal(await comm.allReduce(a, "mean"), a);
  assert.deepEqual([...a], [1, 2]);
  const g = await comm.allGather(new Int32Array([5, 6]));
  assert.deepEqual([...g], [5, 6]);
  const out = new Uint8Array(1);
  assert.equal(await comm.allGather(new Uint8Array([9]), out), out);
  assert.equal(out[0], 9);
  assert.deepEqual([...await comm.broadcast(new Float64Array([7]))], [7]);
  assert.throws(() => comm.broadcast(new Float64Array([7]), 1), /root 1/);
  await comm.barrier();
  assert.equal(await comm.agreeToStop(), false);
  await comm.close();
  assert.throws(() => comm.barrier(), /closed/);
});

Deno.test("auto gives the single communicator outside mpirun", async () => {
  if (detectLaunch().underLauncher) return; // this test process itself runs under mpirun
  const comm = await createCommunicator("auto");
  assert.equal(comm.kind, "single");
  await comm.close();
  await assert.rejects(() => createCommunicator("nccl" as "mpi"), /unknown communicator 'nccl'/);
});

Deno.test("detectLaunch reads Open MPI, PMIx and MPICH variables", () => {
  const env = (vars: Record<string, string>) => ({ get: (k: string) => vars[k] });
  assert.deepEqual(detectLaunch(env({})), { underLauncher: false });
  assert.deepEqual(detectLaunch(env({ OMPI_COMM_WORLD_RANK: "1", OMPI_COMM_WORLD_SIZE: "4" })), {
    underLauncher: true,
    rank: 1,
    size: 4,
    source: "OMPI_COMM_WORLD_RANK",
  });
  assert.equal(detectLaunch(env({ PMIX_RANK: "0" })).underLauncher, true);
  assert.equal(
    detectLaunch(env({ OMPI_COMM_WORLD_RANK: "5", OMPI_COMM_WORLD_LOCAL_RANK: "1" })).localRank,
    1,
  );
  assert.equal(detectLaunch(env({ PMI_RANK: "2", PMI_SIZE: "3" })).size, 3);
});

Deno.test("configHash ignores key order and sees every value", async () => {
  const a = await configHash({ lr: 0.3, model: { depth: 18, stem: "cifar" } });
  const b = await configHash({ model: { stem: "cifar", depth: 18 }, lr: 0.3 });
  const c = await configHash({ model: { stem: "cifar", depth: 34 }, lr: 0.3 });
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, b);
  assert.notEqual(a, c);
  const comm = new SingleCommunicator({ listenForStop: false });
  assert.equal(await assertSameConfig(comm, { lr: 0.3, model: { depth: 18, stem: "cifar" } }), a);
  assert.equal(await assertSameConfig(comm, a), a);
  await comm.close();
});

Deno.test("DistError names the rank, its host when known, and the step", () => {
  const e = new DistError(1, 17, "Error: boom");
  assert.equal(e.message, "rank 1 failed at step 17: Error: boom");
  assert.equal(e.rank, 1);
  assert.equal(e.step, 17);
  const h = new DistError(2, 5, "gone", "node7");
  assert.equal(h.message, "rank 2 (host node7) failed at step 5: gone");
  assert.equal(h.host, "node7");
});

Deno.test("a missing MPI library names the Debian package", () => {
  const saved = Deno.env.get("SIMCLR_MPI_LIB");
  Deno.env.set("SIMCLR_MPI_LIB", "/nonexistent/libmpi.so.40");
  try {
    assert.throws(() => loadMpi(), /apt-get install openmpi-bin libopenmpi-dev/);
  } finally {
    if (saved === undefined) Deno.env.delete("SIMCLR_MPI_LIB");
    else Deno.env.set("SIMCLR_MPI_LIB", saved);
  }
});

Deno.test("without --allow-ffi, the MPI communicator names the flag", async () => {
  const src = new URL("../../src/distributed/mod.ts", import.meta.url).href;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    script,
    `import { createCommunicator } from "${src}";\n` +
      `try { await createCommunicator("mpi"); } catch (e) { console.log(e.message); }\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", "--allow-read", "--allow-env", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output().finally(() => Deno.remove(script));
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.match(text, /--allow-ffi/);
});
