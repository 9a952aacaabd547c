/**
 * Finding `mpirun` and building its arguments for the launcher (private to the package; the
 * launcher CLI is `launch.ts`).
 */

/**
 * Options for {@linkcode mpirunArgs}.
 */
export interface MpirunOptions {
  /** Number of ranks (omit to let `mpirun` use the hostfile's slots or the batch allocation). */
  np?: number;
  /** Open MPI hostfile (`host slots=N` per line) or MPICH machinefile. */
  hostfile?: string;
  /** Hosts as `mpirun --host` takes them: `node1:2,node2:2`. */
  hosts?: string;
  /**
   * Every rank runs on this machine: Open MPI moves data through shared memory only and
   * advertises only loopback for its launch channel.
   */
  local?: boolean;
  /**
   * Network interface name or IPv4 CIDR the ranks use to talk to each other (Open MPI
   * `btl_tcp_if_include`/`oob_tcp_if_include`, MPICH `-iface`), also given to the ranks as
   * `SIMCLR_DIST_IFACE` for the side channel.
   */
  iface?: string;
  /** Placement: `none` (default, the OS places threads) or one rank per `socket`. */
  bind?: "none" | "socket";
  /** Environment variables to set on every rank (Open MPI `-x K=V`, MPICH `-genv`); visible in `ps`. */
  env?: Record<string, string>;
  /** Names of environment variables to pass on with their values from this environment. */
  forward?: string[];
  /** Extra arguments for `mpirun`, placed before the command. */
  extra?: string[];
}

/** The flavors of MPI the launcher knows. */
export type MpiFlavor = "Open MPI" | "MPICH";

/**
 * The `mpirun` on PATH and its flavor, or null when there is none.
 */
export async function findMpirun(): Promise<{ path: string; flavor: MpiFlavor } | null> {
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
 * small machine), and `--bind-to none` (one thread pool per rank, the OS places them) unless
 * `bind` is `socket`.
 */
export function mpirunArgs(flavor: MpiFlavor, options: MpirunOptions): string[] {
  const args = options.np === undefined ? [] : ["-n", String(options.np)];
  const env = { ...options.env };
  if (options.iface) env.SIMCLR_DIST_IFACE = options.iface;
  const forward = options.forward ?? [];
  if (flavor === "Open MPI") {
    if (Deno.uid?.() === 0) args.push("--allow-run-as-root");
    args.push("--oversubscribe");
    if (options.bind === "socket") args.push("--map-by", "socket", "--bind-to", "socket");
    else args.push("--bind-to", "none");
    if (options.hostfile) args.push("--hostfile", options.hostfile);
    if (options.hosts) args.push("--host", options.hosts);
    // shared memory only: no MPI TCP or libfabric listeners on the ranks ("vader" is also
    // Open MPI 5's alias of its "sm")
    if (options.local) args.push("--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo");
    if (options.iface) {
      args.push("--mca", "btl_tcp_if_include", options.iface);
      args.push("--mca", "oob_tcp_if_include", options.iface);
    }
    for (const [k, v] of Object.entries(env)) args.push("-x", `${k}=${v}`);
    for (const k of forward) args.push("-x", k);
  } else {
    if (options.hostfile) args.push("-f", options.hostfile);
    if (options.hosts) args.push("-hosts", options.hosts);
    if (options.bind === "socket") args.push("-bind-to", "socket");
    if (options.iface && !options.iface.includes("/")) args.push("-iface", options.iface);
    for (const [k, v] of Object.entries(env)) args.push("-genv", k, v);
    if (forward.length) args.push("-genvlist", forward.join(","));
  }
  return [...args, ...(options.extra ?? [])];
}
