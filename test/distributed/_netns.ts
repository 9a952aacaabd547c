/**
 * Test helper: a cluster of fake hosts, each a Linux network namespace with its own host name
 * (a UTS namespace) and one interface on a private bridge (192.0.2.0/24, reserved for
 * documentation and tests, exists only inside these namespaces: nothing is routed anywhere
 * else). `mpirun` reaches the hosts through a launch agent (Open MPI's `plm_rsh_agent`) that
 * enters the host's namespaces where `ssh` would log in, so rank-to-rank traffic really
 * crosses interfaces. Needs root, `ip` (iproute2) and `unshare` (util-linux).
 */

const decoder = new TextDecoder();

async function sh(args: string[]): Promise<string> {
  const out = await new Deno.Command(args[0], {
    args: args.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (out.code !== 0) {
    throw new Error(`${args.join(" ")} failed (${out.code}): ${decoder.decode(out.stderr).trim()}`);
  }
  return decoder.decode(out.stdout);
}

function shSync(args: string[]): void {
  try {
    new Deno.Command(args[0], { args: args.slice(1), stdout: "null", stderr: "null" }).outputSync();
  } catch { /* best effort */ }
}

const PREFIX = "simclr-t";

async function probe(): Promise<string | null> {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid() !== 0) return "making network namespaces needs root";
  for (const [tool, pkg] of [["ip", "iproute2"], ["unshare", "util-linux"]]) {
    try {
      await sh([tool, "-V"]);
    } catch {
      return `\`${tool}\` is missing (apt-get install ${pkg})`;
    }
  }
  const name = `${PREFIX}${Deno.pid}-probe`;
  try {
    await sh(["ip", "netns", "add", name]);
  } catch (err) {
    return `cannot make a network namespace here: ${(err as Error).message}`;
  }
  await sh(["ip", "netns", "del", name]).catch(() => {});
  return null;
}

/** Why namespace tests are skipped here, or null when they run. */
export const netnsSkipReason: string | null = await probe();

/** Namespaces left by a test process that no longer runs (killed before its clean-up). */
async function removeStale() {
  const list = await sh(["ip", "netns", "list"]).catch(() => "");
  for (const line of list.split("\n")) {
    const m = line.match(new RegExp(`^(${PREFIX}(\\d+)-\\S+)`));
    if (!m) continue;
    try {
      Deno.statSync(`/proc/${m[2]}`);
      continue; // its test still runs
    } catch { /* gone */ }
    await removeNamespace(m[1]);
  }
}

async function removeNamespace(ns: string) {
  const pids = await sh(["ip", "netns", "pids", ns]).catch(() => "");
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch { /* gone */ }
  }
  await sh(["ip", "netns", "del", ns]).catch(() => {});
}

/** One fake host. */
export interface FakeHost {
  /** Its host name (what `hostname` says inside, and what hostfiles name). */
  name: string;
  /** Its network namespace. */
  ns: string;
  /** Its address on the cluster's network. */
  addr: string;
}

/** Fake hosts as network namespaces on one bridge; `destroy()` removes everything. */
export class FakeCluster {
  /** The cluster network (CIDR), for `--iface`. */
  readonly network = "192.0.2.0/24";
  #destroyed = false;
  #onUnload = () => this.#destroySync();

  private constructor(
    readonly hosts: FakeHost[],
    readonly bridgeNs: string,
    /** Folder of the agent script and hostfiles. */
    readonly dir: string,
    /** The launch agent: `agent HOST COMMAND...`, as `mpirun` calls `ssh`. */
    readonly agent: string,
  ) {
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** Makes `n` hosts `simclr-h1..n` at 192.0.2.11.. (first removes stale ones). */
  static async create(n: number): Promise<FakeCluster> {
    await removeStale();
    const tag = `${PREFIX}${Deno.pid}-${Math.random().toString(36).slice(2, 6)}`;
    const bridgeNs = `${tag}-sw`;
    const hosts: FakeHost[] = [...Array(n).keys()].map((i) => ({
      name: `simclr-h${i + 1}`,
      ns: `${tag}-h${i + 1}`,
      addr: `192.0.2.${11 + i}`,
    }));
    const dir = await Deno.makeTempDir({ prefix: "simclr-netns-" });
    const agent = `${dir}/agent.sh`;
    const cases = hosts.map((h) => `  ${h.name}|${h.addr}) ns=${h.ns} ;;`).join("\n");
    await Deno.writeTextFile(
      agent,
      `#!/bin/sh
# Open MPI's plm_rsh_agent for the fake hosts: "ssh HOST COMMAND..." enters HOST's namespaces.
host=$1; shift
case "$host" in
${cases}
  *) echo "agent: unknown host $host" >&2; exit 255 ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && eval "$1"' "$host" "$*"
`,
    );
    await Deno.chmod(agent, 0o755);
    const cluster = new FakeCluster(hosts, bridgeNs, dir, agent);
    try {
      await sh(["ip", "netns", "add", bridgeNs]);
      await sh(["ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge"]);
      await sh(["ip", "-n", bridgeNs, "link", "set", "br0", "up"]);
      for (const [i, h] of hosts.entries()) {
        // veth names are global until moved: unique per test process
        const inHost = `st${Deno.pid}v${i}`, inBridge = `st${Deno.pid}b${i}`;
        await sh(["ip", "netns", "add", h.ns]);
        await sh([
          "ip",
          "link",
          "add",
          inHost,
          "netns",
          h.ns,
          "type",
          "veth",
          "peer",
          "name",
          inBridge,
          "netns",
          bridgeNs,
        ]);
        await sh(["ip", "-n", h.ns, "link", "set", inHost, "name", "eth0"]);
        await sh(["ip", "-n", h.ns, "addr", "add", `${h.addr}/24`, "dev", "eth0"]);
        await sh(["ip", "-n", h.ns, "link", "set", "eth0", "up"]);
        await sh(["ip", "-n", h.ns, "link", "set", "lo", "up"]);
        await sh(["ip", "-n", bridgeNs, "link", "set", inBridge, "master", "br0"]);
        await sh(["ip", "-n", bridgeNs, "link", "set", inBridge, "up"]);
      }
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  /** `argv` as run on host `i` (its namespaces and host name); environment kept. */
  command(i: number, argv: string[]): string[] {
    const h = this.hosts[i];
    return [
      "ip",
      "netns",
      "exec",
      h.ns,
      "unshare",
      "--uts",
      "sh",
      "-c",
      'hostname "$0" && exec "$@"',
      h.name,
      ...argv,
    ];
  }

  /** Environment that makes `mpirun` use the agent instead of ssh. */
  get mpiEnv(): Record<string, string> {
    return { OMPI_MCA_plm_rsh_agent: this.agent };
  }

  /** Writes a hostfile naming hosts `which` (indices), `slots` ranks each; returns its path. */
  async hostfile(which: number[], slots = 1): Promise<string> {
    const path = `${this.dir}/hosts-${which.join("-")}-${slots}`;
    await Deno.writeTextFile(
      path,
      which.map((i) => `${this.hosts[i].name} slots=${slots}\n`).join(""),
    );
    return path;
  }

  /** Process ids in host `i`'s network namespace. */
  async pids(i: number): Promise<number[]> {
    const out = await sh(["ip", "netns", "pids", this.hosts[i].ns]);
    return out.split(/\s+/).filter(Boolean).map(Number);
  }

  /** `kill -9` of every process on host `i`; returns how many. */
  async killAll(i: number): Promise<number> {
    const pids = await this.pids(i);
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
    return pids.length;
  }

  /** Bytes host `i` has sent and received on its cluster interface. */
  async traffic(i: number): Promise<{ tx: number; rx: number }> {
    const read = (what: string) =>
      sh([
        "ip",
        "netns",
        "exec",
        this.hosts[i].ns,
        "cat",
        `/sys/class/net/eth0/statistics/${what}_bytes`,
      ]);
    return { tx: Number(await read("tx")), rx: Number(await read("rx")) };
  }

  /** Kills what runs on the hosts and removes the namespaces and files. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    globalThis.removeEventListener("unload", this.#onUnload);
    for (const ns of [...this.hosts.map((h) => h.ns), this.bridgeNs]) await removeNamespace(ns);
    for (let i = 0; i < this.hosts.length; i++) shSync(["ip", "link", "del", `st${Deno.pid}v${i}`]);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  #destroySync() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const ns of [...this.hosts.map((h) => h.ns), this.bridgeNs]) {
      shSync(["sh", "-c", `ip netns pids ${ns} | xargs -r kill -9`]);
      shSync(["ip", "netns", "del", ns]);
    }
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone */ }
  }
}
