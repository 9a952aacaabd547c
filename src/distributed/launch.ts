/**
 * Launching ranks with the system's `mpirun`, and a small launcher CLI around it
 * (`deno task launch --help`):
 *
 * ```sh
 * deno task launch -n 2 -- deno run -A src/cli/pretrain.ts ...                 # this machine
 * deno task launch -n 8 --hostfile hosts --iface eth1 -- deno run -A ...      # over ssh
 * deno task launch --gpu-per-rank -- deno run -A ...             # in a Slurm allocation
 * ```
 *
 * The CLI runs `mpirun` in its own session so that Ctrl-C reaches only the launcher, which
 * asks every rank to stop gracefully (SIGUSR2, forwarded by `mpirun` to every rank: the
 * ranks finish their step, agree to stop, rank 0 writes its checkpoint). SIGTERM and SIGUSR2
 * to the launcher do the same (what `timeout`, docker, Kubernetes and systemd send). A second
 * one kills the job. Plain `mpirun` on Ctrl-C or SIGTERM gives the ranks SIGTERM and, one
 * second later, SIGKILL.
 *
 * Narrow networking: on one machine (no hostfile, hosts or batch allocation) Open MPI moves
 * data through shared memory only (`--mca btl self,vader`: no MPI ports on the ranks) and its
 * launch channel advertises loopback only; `--iface` restricts MPI's TCP and the side channel
 * to one interface or subnet on several machines. (Open MPI 4.1's own daemons still listen on
 * every address; `if_include` restricts what they advertise and use.)
 */
import { findMpirun, mpirunArgs, type MpirunOptions } from "./_mpirun.ts";

/** Variables that show a batch allocation whose nodes `mpirun` launches on. */
const ALLOCATION_VARS = ["SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "PE_HOSTFILE", "FLUX_JOB_ID"];

/**
 * A shell wrapper that gives each rank the GPU of its host-local rank
 * (`CUDA_VISIBLE_DEVICES`), before TensorFlow starts.
 */
const GPU_PER_RANK = [
  "sh",
  "-c",
  'export CUDA_VISIBLE_DEVICES="${OMPI_COMM_WORLD_LOCAL_RANK:-${MPI_LOCALRANKID:-${SLURM_LOCALID:-0}}}"; exec "$@"',
  "gpu-per-rank",
];

const USAGE = `deno task launch [options] -- COMMAND...

Runs COMMAND as ranks under mpirun (Open MPI or MPICH). Ctrl-C, SIGTERM or SIGUSR2: every rank
finishes its step and rank 0 writes a checkpoint; a second one kills the job.

Options:
  -n N                 number of ranks (default: the Slurm allocation's SLURM_NTASKS, or the
                       slots of --hostfile/--host)
  --hostfile FILE      hosts to run on, over ssh ("node1 slots=2" per line)
  --host LIST          the same inline: node1:2,node2:2
  --iface IF           interface name or IPv4 CIDR the ranks use to reach each other (MPI's
                       TCP traffic and the failure side channel), e.g. eth1 or 10.1.0.0/16
  --bind socket        one rank per CPU socket, its threads bound there (default: none)
  --gpu-per-rank       CUDA_VISIBLE_DEVICES = the rank's index on its host
  --env NAME[=VALUE]   pass an environment variable to every rank (SIMCLR_* are passed on)
  --mpirun-arg ARG     pass ARG to mpirun (repeat for several)
  --dry-run            print the mpirun command instead of running it
  -h, --help           this text

On one machine (no hostfile, host list or batch allocation), Open MPI uses shared memory
only (no MPI TCP ports on the ranks).`;

/** The launcher's parsed command line. */
interface LaunchArgs {
  options: MpirunOptions;
  gpuPerRank: boolean;
  dryRun: boolean;
  command: string[];
}

function parseLaunchArgs(argv: string[]): LaunchArgs | "help" | string {
  const sep = argv.indexOf("--");
  const own = sep < 0 ? argv : argv.slice(0, sep);
  if (own.includes("-h") || own.includes("--help")) return "help";
  if (sep < 0 || sep === argv.length - 1) return "no command after --";
  const options: MpirunOptions = { extra: [], env: {}, forward: [] };
  let gpuPerRank = false, dryRun = false;
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    const value = () => {
      if (i + 1 >= own.length) throw new TypeError(`${a} needs a value`);
      return own[++i];
    };
    try {
      if (a === "-n" || a === "-np" || a === "--np") {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) return `${a}: a positive whole number of ranks`;
        options.np = n;
      } else if (a === "--hostfile") options.hostfile = value();
      else if (a === "--host") options.hosts = value();
      else if (a === "--iface") options.iface = value();
      else if (a === "--bind") {
        const b = value();
        if (b !== "none" && b !== "socket") return `--bind ${b}: choose none or socket`;
        options.bind = b;
      } else if (a === "--gpu-per-rank") gpuPerRank = true;
      else if (a === "--env") {
        const e = value();
        const eq = e.indexOf("=");
        if (eq > 0) options.env![e.slice(0, eq)] = e.slice(eq + 1);
        else options.forward!.push(e);
      } else if (a === "--mpirun-arg") options.extra!.push(value());
      else if (a === "--dry-run") dryRun = true;
      else return `unknown option ${a}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  return { options, gpuPerRank, dryRun, command: argv.slice(sep + 1) };
}

/**
 * Completes the options from the environment: `np` from `SLURM_NTASKS` in a Slurm
 * allocation, `local` when nothing names other hosts, and every `SIMCLR_*` variable passed on.
 * Returns an error text when the number of ranks is unknown.
 */
function completeOptions(
  options: MpirunOptions,
  env: { get(name: string): string | undefined; toObject(): Record<string, string> },
): string | null {
  const allocated = ALLOCATION_VARS.some((v) => env.get(v) !== undefined);
  const hostFlags = /^(--?host|--?hostfile|--?machinefile|-H|-f|-hosts|--?default-hostfile)$/;
  const extraHosts = (options.extra ?? []).some((a) => hostFlags.test(a));
  options.local = !options.hostfile && !options.hosts && !allocated && !extraHosts;
  if (options.np === undefined) {
    const tasks = Number(env.get("SLURM_NTASKS"));
    if (Number.isInteger(tasks) && tasks > 0) options.np = tasks;
    else if (options.local) return "-n N is needed on one machine";
  }
  const forward = new Set(options.forward);
  for (const name of Object.keys(env.toObject())) {
    if (name.startsWith("SIMCLR_") && !(name in (options.env ?? {}))) forward.add(name);
  }
  options.forward = [...forward].sort();
  return null;
}

const quote = (a: string) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`;

/**
 * The launcher CLI (see `--help`); returns mpirun's exit status. The first Ctrl-C, SIGTERM or
 * SIGUSR2 asks every rank to stop after its step (rank 0 checkpoints); the second kills the job.
 *
 * @param argv the launcher's arguments, e.g. `["-n", "2", "--", "deno", "run", "-A",
 *   "src/cli/pretrain.ts"]`.
 * @returns the exit status to exit with (mpirun's; 2 for bad arguments, 127 without mpirun).
 *
 * @example The launcher's help (starting ranks needs `mpirun`)
 * ```ts
 * import assert from "node:assert/strict";
 * import { launchMain } from "@simclr/streams/distributed";
 * // a program that launches: Deno.exit(await launchMain(Deno.args));
 * assert.equal(await launchMain(["--help"]), 0); // prints the usage
 * assert.equal(await launchMain(["--no-such-flag"]), 2); // says what is wrong, then the usage
 * ```
 */
export async function launchMain(argv: string[]): Promise<number> {
  const parsed = parseLaunchArgs(argv);
  if (parsed === "help") {
    console.log(USAGE);
    return 0;
  }
  const problem = typeof parsed === "string" ? parsed : completeOptions(parsed.options, Deno.env);
  if (typeof parsed === "string" || problem) {
    console.error(`launch: ${problem ?? parsed}\n\n${USAGE}`);
    return 2;
  }
  const mpirun = await findMpirun();
  if (!mpirun) {
    console.error(
      "mpirun not found: install Open MPI (`apt-get install openmpi-bin libopenmpi-dev`) or " +
        "MPICH (`apt-get install mpich`)",
    );
    return 127;
  }
  const command = parsed.gpuPerRank ? [...GPU_PER_RANK, ...parsed.command] : parsed.command;
  const args = [...mpirunArgs(mpirun.flavor, parsed.options), ...command];
  if (parsed.dryRun) {
    console.log([mpirun.path, ...args].map(quote).join(" "));
    return 0;
  }
  // setsid: mpirun gets its own session, so the terminal's Ctrl-C reaches only this launcher.
  let useSetsid = true;
  try {
    await new Deno.Command("setsid", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
  } catch {
    useSetsid = false;
  }
  const child = useSetsid
    ? new Deno.Command("setsid", { args: [mpirun.path, ...args] }).spawn()
    : new Deno.Command(mpirun.path, { args }).spawn();
  let stops = 0;
  const onStop = () => {
    stops++;
    if (stops === 1) {
      console.error(
        "\nstopping: every rank finishes its step, rank 0 writes a checkpoint " +
          "(Ctrl-C again to kill)",
      );
      child.kill("SIGUSR2");
    } else {
      console.error("\nkilling the job");
      child.kill("SIGTERM");
    }
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGUSR2"];
  for (const s of signals) Deno.addSignalListener(s, onStop);
  const status = await child.status;
  for (const s of signals) Deno.removeSignalListener(s, onStop);
  return status.code;
}

if (import.meta.main) Deno.exit(await launchMain(Deno.args));
