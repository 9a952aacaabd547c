/**
 * Launching ranks with the system's `mpirun`, and a small launcher CLI around it:
 *
 * ```sh
 * deno run -A src/distributed/launch.ts -n 2 [--hostfile hosts] -- deno run -A src/cli/pretrain.ts ...
 * ```
 *
 * The CLI runs `mpirun` in its own session so that Ctrl-C reaches only the launcher, which
 * asks every rank to stop gracefully (SIGUSR2, forwarded by `mpirun` to every rank: the
 * ranks finish their step, agree to stop, rank 0 writes its checkpoint). A second Ctrl-C
 * kills the job. Plain `mpirun` on Ctrl-C gives the ranks SIGTERM and, one second later,
 * SIGKILL.
 */

/**
 * Options for {@linkcode mpirunArgs}.
 *
 * @example
 * ```ts
 * const options: MpirunOptions = { np: 4, hostfile: "hosts", env: { OMP_NUM_THREADS: "1" } };
 * ```
 */
export interface MpirunOptions {
  /** Number of ranks. */
  np: number;
  /** Open MPI hostfile (`host slots=N` per line) or MPICH machinefile. */
  hostfile?: string;
  /** Environment variables to export to every rank (Open MPI `-x`, MPICH `-genv`). */
  env?: Record<string, string>;
  /** Extra arguments for `mpirun`, placed before the command. */
  extra?: string[];
}

/**
 * The `mpirun` on PATH and its flavor, or null when there is none.
 *
 * @example
 * ```ts
 * const mpirun = await findMpirun(); // { path: "mpirun", flavor: "Open MPI" }
 * ```
 */
export async function findMpirun(): Promise<{ path: string; flavor: "Open MPI" | "MPICH" } | null> {
  for (const name of ["mpirun", "mpiexec"]) {
    try {
      const out = await new Deno.Command(name, {
        args: ["--version"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      if (/Open MPI|OpenRTE/i.test(text)) return { path: name, flavor: "Open MPI" };
      if (/HYDRA|MPICH/i.test(text)) return { path: name, flavor: "MPICH" };
    } catch {
      // not found
    }
  }
  return null;
}

/**
 * Arguments for `mpirun` (without the command). Open MPI: adds `--allow-run-as-root` when
 * running as root, `--oversubscribe` (more ranks than cores is allowed, e.g. 2 ranks on a
 * small machine), and `--bind-to none` (one thread pool per rank, the OS places them).
 *
 * @example
 * ```ts
 * const args = mpirunArgs("Open MPI", { np: 2 });
 * // ["-n", "2", "--allow-run-as-root" (as root), "--oversubscribe", "--bind-to", "none"]
 * new Deno.Command("mpirun", { args: [...args, "deno", "run", "-A", "train.ts"] });
 * ```
 */
export function mpirunArgs(flavor: "Open MPI" | "MPICH", options: MpirunOptions): string[] {
  const args = ["-n", String(options.np)];
  if (flavor === "Open MPI") {
    if (Deno.uid?.() === 0) args.push("--allow-run-as-root");
    args.push("--oversubscribe", "--bind-to", "none");
    if (options.hostfile) args.push("--hostfile", options.hostfile);
    for (const [k, v] of Object.entries(options.env ?? {})) args.push("-x", `${k}=${v}`);
  } else {
    if (options.hostfile) args.push("-f", options.hostfile);
    for (const [k, v] of Object.entries(options.env ?? {})) args.push("-genv", k, v);
  }
  return [...args, ...(options.extra ?? [])];
}

function usage(): never {
  console.error(
    "usage: deno run -A src/distributed/launch.ts -n N [--hostfile FILE] [--mpirun-arg ARG]... " +
      "-- COMMAND...",
  );
  Deno.exit(2);
}

/**
 * The launcher CLI (`-n N [--hostfile F] [--mpirun-arg A]... -- COMMAND...`); returns
 * mpirun's exit status. The first Ctrl-C asks every rank to stop after its step (rank 0
 * checkpoints); the second kills the job.
 *
 * @example
 * ```ts
 * Deno.exit(await launchMain(["-n", "2", "--", "deno", "run", "-A", "src/cli/pretrain.ts"]));
 * ```
 */
export async function launchMain(argv: string[]): Promise<number> {
  const sep = argv.indexOf("--");
  if (sep < 0 || sep === argv.length - 1) usage();
  const opts: MpirunOptions = { np: 1, extra: [] };
  const own = argv.slice(0, sep);
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    if (a === "-n" || a === "-np" || a === "--np") opts.np = Number(own[++i]);
    else if (a === "--hostfile") opts.hostfile = own[++i];
    else if (a === "--mpirun-arg") opts.extra!.push(own[++i]);
    else usage();
  }
  if (!Number.isInteger(opts.np) || opts.np < 1) usage();
  const mpirun = await findMpirun();
  if (!mpirun) {
    console.error(
      "mpirun not found: install Open MPI (`apt-get install openmpi-bin libopenmpi-dev`) or " +
        "MPICH (`apt-get install mpich`)",
    );
    return 127;
  }
  const args = [...mpirunArgs(mpirun.flavor, opts), ...argv.slice(sep + 1)];
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
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onStop);
  const status = await child.status;
  for (const s of signals) Deno.removeSignalListener(s, onStop);
  return status.code;
}

if (import.meta.main) Deno.exit(await launchMain(Deno.args));
