/**
 * Where rank 0's side channel listens. Every rank describes its host (name, a key that is
 * equal exactly when two ranks share one network stack, and its IPv4 networks); the
 * descriptions are gathered over MPI, and rank 0 picks the narrowest address all ranks reach:
 *
 * 1. `SIMCLR_DIST_ADDR`, when set: that address (for networks this logic cannot see, e.g.
 *    routed ones or IPv6);
 * 2. loopback (127.0.0.1) when every rank shares rank 0's network stack (one machine);
 * 3. `SIMCLR_DIST_IFACE` (an interface name or an IPv4 CIDR, as given to the launcher's
 *    `--iface`): rank 0's address on it;
 * 4. else rank 0's address on the subnet that every other host has an address in;
 * 5. else (no shared subnet): every interface, with a warning naming the variables above.
 */

/** What one rank tells the others about its host. */
export interface HostView {
  /** Host name (for messages: "rank 1 (host node7) failed"). */
  host: string;
  /**
   * Equal for two ranks exactly when they share one network stack (the kernel's boot id and
   * the network namespace; the host name where those cannot be read).
   */
  local: string;
  /** IPv4 networks of the non-loopback interfaces: `{ name, cidr }`, e.g. `192.0.2.1/24`. */
  nets: { name: string; cidr: string }[];
}

/** Rank 0's choice: the address to bind, those the other ranks try, and why. */
export interface BindChoice {
  /** Address to listen on. */
  bind: string;
  /** Addresses the other ranks connect to, in order. */
  connect: string[];
  /** Why this address (for the warning when it is every interface). */
  why: string;
  /** True when the listener could not be narrowed (no shared subnet). */
  wide: boolean;
}

function readOrEmpty(path: string, link = false): string {
  try {
    return link ? Deno.readLinkSync(path) : Deno.readTextFileSync(path).trim();
  } catch {
    return "";
  }
}

/**
 * This process's host: its name, network-stack key and IPv4 networks.
 */
export function describeHost(): HostView {
  const host = Deno.hostname();
  const boot = readOrEmpty("/proc/sys/kernel/random/boot_id");
  const netns = readOrEmpty("/proc/self/ns/net", true);
  let nets: HostView["nets"] = [];
  try {
    nets = Deno.networkInterfaces()
      .filter((n) => n.family === "IPv4" && !n.address.startsWith("127."))
      .map((n) => ({ name: n.name, cidr: n.cidr }));
  } catch {
    // no --allow-sys: the others then reach this host only through SIMCLR_DIST_ADDR
  }
  return { host, local: boot && netns ? `${boot}|${netns}` : `host:${host}`, nets };
}

function ipv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    v = v * 256 + Number(p);
  }
  return v;
}

/** `[network, mask bits]` of an IPv4 CIDR, or null when it is not one. */
function parseCidr(cidr: string): [number, number] | null {
  const [addr, bitsText] = cidr.split("/");
  const a = ipv4(addr);
  const bits = Number(bitsText);
  if (a === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  return [a, bits];
}

/**
 * True when the IPv4 address of `cidr` lies in the network `net` (both in CIDR notation; the
 * address part of `net` may have host bits set).
 */
export function inSubnet(cidr: string, net: string): boolean {
  const a = parseCidr(cidr), n = parseCidr(net);
  if (!a || !n) return false;
  const shift = 32 - n[1];
  return shift === 32 || Math.floor(a[0] / 2 ** shift) === Math.floor(n[0] / 2 ** shift);
}

const address = (cidr: string) => cidr.split("/")[0];

/**
 * Rank 0's listening address from every rank's {@linkcode HostView} (`views[0]` is rank 0's)
 * and the settings `addr` (`SIMCLR_DIST_ADDR`) and `iface` (`SIMCLR_DIST_IFACE`).
 */
export function chooseBindAddress(
  views: HostView[],
  settings: { addr?: string; iface?: string } = {},
): BindChoice {
  const [self, ...others] = views;
  if (settings.addr) {
    return { bind: settings.addr, connect: [settings.addr], why: "SIMCLR_DIST_ADDR", wide: false };
  }
  const remote = others.filter((v) => v.local !== self.local);
  if (remote.length === 0) {
    return { bind: "127.0.0.1", connect: ["127.0.0.1"], why: "one host", wide: false };
  }
  if (settings.iface) {
    const iface = settings.iface;
    const net = self.nets.find((n) =>
      n.name === iface || (iface.includes("/") && inSubnet(n.cidr, iface))
    );
    if (!net) {
      throw new Error(
        `SIMCLR_DIST_IFACE=${iface}: rank 0 (host ${self.host}) has no IPv4 address on it ` +
          `(it has ${self.nets.map((n) => `${n.name} ${n.cidr}`).join(", ") || "none"})`,
      );
    }
    const a = address(net.cidr);
    return { bind: a, connect: [a], why: `SIMCLR_DIST_IFACE=${iface}`, wide: false };
  }
  let best: { cidr: string; reached: number } | null = null;
  for (const net of self.nets) {
    const reached = remote.filter((v) => v.nets.some((n) => inSubnet(n.cidr, net.cidr))).length;
    if (!best || reached > best.reached) best = { cidr: net.cidr, reached };
  }
  if (best && best.reached === remote.length) {
    const a = address(best.cidr);
    return { bind: a, connect: [a], why: `the subnet shared by every host`, wide: false };
  }
  return {
    bind: "0.0.0.0",
    connect: self.nets.map((n) => address(n.cidr)),
    why: `no subnet of rank 0 (host ${self.host}) is shared by every other host; set ` +
      "SIMCLR_DIST_IFACE (or the launcher's --iface) or SIMCLR_DIST_ADDR to narrow it",
    wide: true,
  };
}
