/** The launcher: mpirun's arguments for each way of launching, and the CLI's own checks. */
import assert from "node:assert/strict";
import { mpirunArgs } from "../../src/distributed/_mpirun.ts";
import { mpiSkipReason } from "./_mpirun.ts";

/** The value following `flag` in `args` (each occurrence). */
function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => a === flag ? [args[i + 1]] : []);
}

Deno.test("mpirunArgs: Open MPI and MPICH spellings of hostfile and environment", () => {
  const o = mpirunArgs("Open MPI", {
    np: 4,
    hostfile: "hosts",
    env: { A: "1" },
    forward: ["SIMCLR_DIST_TIMEOUT_S"],
  });
  assert.deepEqual(o.slice(0, 2), ["-n", "4"]);
  assert.ok(o.includes("--oversubscribe"));
  assert.deepEqual(after(o, "--hostfile"), ["hosts"]);
  assert.deepEqual(after(o, "-x"), ["A=1", "SIMCLR_DIST_TIMEOUT_S"], "forwarded by name only");
  assert.deepEqual(after(o, "--mca"), [], "several hosts: the transports are left alone");
  const m = mpirunArgs("MPICH", { np: 2, hostfile: "hosts", env: { A: "1" }, forward: ["B"] });
  assert.deepEqual(m, ["-n", "2", "-f", "hosts", "-genv", "A", "1", "-genvlist", "B"]);
});

Deno.test("mpirunArgs: one machine is shared memory only; --iface restricts TCP and the side channel", () => {
  const local = mpirunArgs("Open MPI", { np: 2, local: true });
  assert.deepEqual(after(local, "--mca"), ["btl", "oob_tcp_if_include"]);
  assert.equal(local[local.indexOf("btl") + 1], "self,vader");
  assert.equal(local[local.indexOf("oob_tcp_if_include") + 1], "lo");
  const net = mpirunArgs("Open MPI", { hosts: "a:1,b:1", iface: "192.0.2.0/24" });
  assert.ok(!net.includes("-n"), "no -n: mpirun counts the slots");
  assert.deepEqual(after(net, "--host"), ["a:1,b:1"]);
  assert.equal(net[net.indexOf("btl_tcp_if_include") + 1], "192.0.2.0/24");
  assert.equal(net[net.indexOf("oob_tcp_if_include") + 1], "192.0.2.0/24");
  assert.deepEqual(after(net, "-x"), ["SIMCLR_DIST_IFACE=192.0.2.0/24"]);
  const mpich = mpirunArgs("MPICH", { np: 2, hosts: "a,b", iface: "eth1" });
  assert.deepEqual(mpich, [
    "-n",
    "2",
    "-hosts",
    "a,b",
    "-iface",
    "eth1",
    "-genv",
    "SIMCLR_DIST_IFACE",
    "eth1",
  ]);
  const socket = mpirunArgs("Open MPI", { np: 2, bind: "socket" });
  assert.deepEqual(after(socket, "--map-by"), ["socket"]);
  assert.deepEqual(after(socket, "--bind-to"), ["socket"]);
});

const launch = new URL("../../src/distributed/launch.ts", import.meta.url).pathname;

/** Runs the launcher; with `env`, in that environment alone (plus PATH and HOME). */
async function launcher(args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", launch, ...args],
    clearEnv: env !== undefined,
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME") ?? "/", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("launch CLI: --help, a missing rank count, an unknown option", async () => {
  const help = await launcher(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--hostfile FILE/);
  assert.match(help.stdout, /--iface IF/);
  const noN = await launcher(["--", "true"]);
  assert.equal(noN.code, 2);
  assert.match(noN.stderr, /-n N is needed on one machine/);
  const bad = await launcher(["--frobnicate", "--", "true"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option --frobnicate/);
});

Deno.test({
  name: "launch CLI --dry-run: Slurm's task count, SIMCLR_* passed on, one GPU per rank",
  ignore: mpiSkipReason !== null,
  fn: async () => {
    const r = await launcher(["--gpu-per-rank", "--dry-run", "--", "deno", "run", "x.ts"], {
      SLURM_JOB_ID: "77",
      SLURM_NTASKS: "8",
      SIMCLR_DIST_TIMEOUT_S: "600",
    });
    assert.equal(r.code, 0, r.stderr);
    const words = r.stdout.trim().split(/\s+/);
    assert.deepEqual(words.slice(1, 3), ["-n", "8"]);
    assert.ok(!r.stdout.includes("self,vader"), "an allocation may span hosts");
    assert.deepEqual(after(words, "-x"), ["SIMCLR_DIST_TIMEOUT_S"]);
    assert.match(r.stdout, /CUDA_VISIBLE_DEVICES="\$\{OMPI_COMM_WORLD_LOCAL_RANK:-/);
    assert.match(r.stdout, /deno run x\.ts$/m);
  },
});

Deno.test({
  name: "launch --gpu-per-rank: each rank sees the GPU of its index on the host",
  ignore: mpiSkipReason !== null,
  fn: async () => {
    const r = await launcher([
      "-n",
      "2",
      "--gpu-per-rank",
      "--",
      "sh",
      "-c",
      'echo "RANK $OMPI_COMM_WORLD_RANK GPU $CUDA_VISIBLE_DEVICES"',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^RANK 0 GPU 0$/m);
    assert.match(r.stdout, /^RANK 1 GPU 1$/m);
  },
});
