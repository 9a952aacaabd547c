/**
 * A small TCP side channel among ranks, used only to report failures. MPI collectives wait
 * forever when a peer dies (Open MPI's shared-memory and TCP transports report nothing), and
 * `mpirun` kills the survivors about one second later with SIGTERM, then SIGKILL. This channel
 * tells a survivor within milliseconds which rank failed, at which step, and why:
 *
 * - star topology: rank 0 listens, every other rank connects to it (rank 0's address and port
 *   are broadcast over MPI at start; the same host is reached on 127.0.0.1);
 * - newline-delimited JSON messages: `fail` (a rank reports its own failure, or rank 0
 *   relays one), `bye` (clean close);
 * - a connection that ends without `bye` means that process died (killed, crashed, or exited
 *   without closing the communicator): the kernel closes its sockets at once.
 */

import { envGet } from "./env.ts";

/** Slots of the Int32Array shared with the worker: current step, failure acknowledged. */
export const SHARED_STEP = 0, SHARED_ACK = 1;

/** A failure reported or observed: the rank, its step, and why. */
export interface PeerFailure {
  rank: number;
  step: number;
  reason: string;
}

interface Message {
  t: "hello" | "fail" | "bye";
  rank: number;
  step?: number;
  reason?: string;
}

/** Rank 0's address, broadcast to the others. */
export interface RendezvousInfo {
  host: string;
  addrs: string[];
  port: number;
}

const encoder = new TextEncoder();

class Peer {
  done = false; // said bye
  constructor(readonly rank: number, readonly conn: Deno.Conn) {}
  async send(msg: Message) {
    const data = encoder.encode(JSON.stringify(msg) + "\n");
    let off = 0;
    while (off < data.length) off += await this.conn.write(data.subarray(off));
  }
}

async function* lines(conn: Deno.Conn): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const buf = new Uint8Array(4096);
  let pending = "";
  while (true) {
    const n = await conn.read(buf);
    if (n === null) return;
    pending += decoder.decode(buf.subarray(0, n), { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Addresses of this host that peers on other hosts may reach (IPv4 first). */
function hostAddresses(): string[] {
  try {
    const nets = Deno.networkInterfaces().filter((n) =>
      !n.address.startsWith("127.") &&
      n.address !== "::1" && !n.address.startsWith("fe80")
    );
    nets.sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
    return nets.map((n) => n.address);
  } catch {
    return [];
  }
}

/** The channel of one rank. `onFailure` is called once, with the first failure seen. */
export class SideChannel {
  #peers = new Map<number, Peer>();
  #listener: Deno.Listener | null = null;
  #closing = false;
  #onFailure: (f: PeerFailure) => void;
  #currentStep: () => number;
  #failed = false;

  private constructor(
    readonly rank: number,
    readonly size: number,
    onFailure: (f: PeerFailure) => void,
    currentStep: () => number,
  ) {
    this.#onFailure = onFailure;
    this.#currentStep = currentStep;
  }

  /** Creates the channel of `rank`; then `listen` + `accept` (rank 0) or `connect`. */
  static create(
    rank: number,
    size: number,
    onFailure: (f: PeerFailure) => void,
    currentStep: () => number,
  ): SideChannel {
    return new SideChannel(rank, size, onFailure, currentStep);
  }

  /**
   * Rank 0: listens on an ephemeral port of every interface and returns the address to
   * share (env `SIMCLR_DIST_ADDR` forces the address other hosts use).
   */
  listen(): RendezvousInfo {
    const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
    this.#listener = listener;
    const forced = envGet("SIMCLR_DIST_ADDR");
    return {
      host: Deno.hostname(),
      addrs: forced ? [forced] : hostAddresses(),
      port: (listener.addr as Deno.NetAddr).port,
    };
  }

  /** Rank 0: waits until every other rank has connected. */
  async accept(info: RendezvousInfo, timeoutMs = 60_000): Promise<void> {
    const listener = this.#listener!;
    const accepting = (async () => {
      while (this.#peers.size < this.size - 1) {
        const conn = await listener.accept();
        const it = lines(conn);
        const first = await withTimeout(it.next(), 10_000, "side channel hello");
        if (first.done) {
          conn.close();
          continue;
        }
        const hello = JSON.parse(first.value) as Message;
        const peer = new Peer(hello.rank, conn);
        this.#peers.set(hello.rank, peer);
        this.#watch(peer, it);
      }
    })();
    try {
      await withTimeout(accepting, timeoutMs, "waiting for every rank on the side channel");
    } catch (err) {
      const missing = [...Array(this.size).keys()].filter((r) => r > 0 && !this.#peers.has(r));
      throw new Error(
        `${(err as Error).message}: ranks ${missing.join(", ")} did not connect to ` +
          `${info.addrs.join(" / ")}:${info.port} (set SIMCLR_DIST_ADDR to an address of ` +
          `rank 0's host they can reach, or SIMCLR_DIST_SIDECHANNEL=0 to go without it)`,
      );
    } finally {
      listener.close();
      this.#listener = null;
    }
  }

  /** Other ranks: connects to rank 0 (127.0.0.1 first when on the same host). */
  async connect(info: RendezvousInfo): Promise<void> {
    const sameHost = info.host === Deno.hostname();
    const addrs = sameHost ? ["127.0.0.1", ...info.addrs] : info.addrs;
    const errors: string[] = [];
    let conn: Deno.TcpConn | null = null;
    for (const hostname of addrs) {
      try {
        conn = await withTimeout(
          Deno.connect({ hostname, port: info.port }),
          5_000,
          `connect ${hostname}`,
        );
        break;
      } catch (err) {
        errors.push(`${hostname}: ${(err as Error).message}`);
      }
    }
    if (!conn) {
      throw new Error(
        `rank ${this.rank} could not reach rank 0's side channel on port ${info.port} ` +
          `(${errors.join("; ")}); set SIMCLR_DIST_ADDR or SIMCLR_DIST_SIDECHANNEL=0`,
      );
    }
    conn.setNoDelay(true);
    try {
      conn.setKeepAlive(true);
    } catch { /* not supported */ }
    const peer = new Peer(0, conn);
    this.#peers.set(0, peer);
    await peer.send({ t: "hello", rank: this.rank });
    this.#watch(peer, lines(conn));
  }

  #watch(peer: Peer, it: AsyncGenerator<string>) {
    (async () => {
      try {
        for await (const line of it) {
          const msg = JSON.parse(line) as Message;
          if (msg.t === "bye") peer.done = true;
          else if (msg.t === "fail") {
            await this.#failure({
              rank: msg.rank,
              step: msg.step ?? this.#currentStep(),
              reason: msg.reason ?? "failed",
            });
          }
        }
      } catch {
        // a reset connection is handled as an end
      }
      if (!peer.done && !this.#closing) {
        await this.#failure({
          rank: peer.rank,
          step: this.#currentStep(),
          reason: peer.rank === 0 || this.rank === 0
            ? "the process ended without closing its communicator (killed, crashed, or exited)"
            : "the process ended without closing its communicator",
        });
      }
    })();
  }

  async #failure(f: PeerFailure) {
    if (this.#failed) return;
    this.#failed = true;
    if (this.rank === 0) await this.#relay(f);
    this.#onFailure(f);
  }

  async #relay(f: PeerFailure) {
    const msg: Message = { t: "fail", rank: f.rank, step: f.step, reason: f.reason };
    await Promise.allSettled(
      [...this.#peers.values()].filter((p) => p.rank !== f.rank && !p.done).map((p) =>
        withTimeout(p.send(msg), 1_000, "relay")
      ),
    );
  }

  /** Reports this rank's own failure to the others (rank 0 directly, others via rank 0). */
  async reportOwnFailure(step: number, reason: string): Promise<void> {
    this.#failed = true;
    const msg: Message = { t: "fail", rank: this.rank, step, reason };
    await Promise.allSettled(
      [...this.#peers.values()].map((p) => withTimeout(p.send(msg), 1_000, "report")),
    );
  }

  /** Clean end: says bye to every peer, then closes the connections. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled(
      [...this.#peers.values()].map((p) =>
        withTimeout(p.send({ t: "bye", rank: this.rank }), 1_000, "bye")
      ),
    );
    for (const p of this.#peers.values()) {
      try {
        p.conn.close();
      } catch { /* already closed */ }
    }
    this.#listener?.close();
  }
}
