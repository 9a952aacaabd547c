/**
 * A small TCP side channel among ranks, used only to report failures. MPI collectives wait
 * forever when a peer dies (Open MPI's shared-memory and TCP transports report nothing), and
 * `mpirun` kills the survivors about one second later with SIGTERM, then SIGKILL. This channel
 * tells a survivor within milliseconds which rank failed, at which step, and why:
 *
 * - star topology: rank 0 listens on the narrowest address every rank reaches (loopback on
 *   one machine, see `rendezvous.ts`), every other rank connects to it; the address, the port
 *   and the job's secret are broadcast over MPI at start, and the listener closes as soon as
 *   every rank has connected;
 * - newline-delimited messages, each authenticated with the job's secret
 *   (`side_channel_auth.ts`): `hello` (a rank introduces itself), `welcome` (rank 0's answer),
 *   `fail` (a rank reports its own failure, or rank 0 relays one), `bye` (clean close); each
 *   carries its sender, the connection's id and a sequence number;
 * - anything else (a connection that never authenticates, a stray HTTP request, a message with
 *   a wrong MAC, a rank already connected, a replayed message) is ignored without harming the
 *   job, and logged once;
 * - an authenticated connection that ends without `bye` means that process died (killed,
 *   crashed, or exited without closing the communicator): the kernel closes its sockets at once.
 */

import { envGet } from "./env.ts";
import { MessageKey, randomHex } from "./side_channel_auth.ts";

/** Slots of the Int32Array shared with the worker: current step, failure acknowledged. */
export const SHARED_STEP = 0, SHARED_ACK = 1;

/** A failure reported or observed: the rank, its step, and why. */
export interface PeerFailure {
  rank: number;
  step: number;
  reason: string;
}

/** Rank 0's side channel, broadcast over MPI to the others: where to connect, and the secret. */
export interface RendezvousInfo {
  /** Addresses of rank 0 to try, in order. */
  connect: string[];
  port: number;
  /** The job's secret (hex); never printed. */
  secret: string;
}

interface Message {
  t: "hello" | "welcome" | "fail" | "bye";
  /** Sender. */
  from: number;
  /** Connection id, chosen by the connecting rank. */
  c: string;
  /** Sequence number of the sender on this connection, from 0. */
  n: number;
  /** `fail`: the rank that failed (rank 0 relays others' failures). */
  rank?: number;
  step?: number;
  reason?: string;
}

/** Longest line accepted; longer input ends the connection. */
const MAX_LINE = 64 * 1024;
/** Longest failure reason sent (the rest is cut). */
const MAX_REASON = 8 * 1024;
/** Unauthenticated connections held at once (more are closed at once). */
const MAX_UNAUTHENTICATED = 32;
/** Time a new connection has to authenticate. */
const HELLO_MS = 5_000;

class Peer {
  done = false; // said bye
  sent = 0; // next sequence number to send
  received = -1; // last sequence number received
  queue: Promise<unknown> = Promise.resolve(); // sends, in order
  constructor(readonly rank: number, readonly conn: Deno.Conn, readonly id: string) {}
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
    if (pending.length > MAX_LINE) throw new Error(`a line longer than ${MAX_LINE} bytes`);
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

function remoteOf(conn: Deno.Conn): string {
  const a = conn.remoteAddr as Deno.NetAddr;
  return `${a.hostname}:${a.port}`;
}

function closeQuietly(c: { close(): void }) {
  try {
    c.close();
  } catch { /* already closed */ }
}

/** The channel of one rank. `onFailure` is called once, with the first failure seen. */
export class SideChannel {
  #peers = new Map<number, Peer>();
  #listener: Deno.Listener | null = null;
  #key: MessageKey | null = null;
  #closing = false;
  #onFailure: (f: PeerFailure) => void;
  #currentStep: () => number;
  #log: (line: string) => void;
  #failed = false;
  #ignoredLogged = false;
  /** Rank 0, until every rank is in: a connection that ends is forgotten, not a failure. */
  #gathering = false;

  private constructor(
    readonly rank: number,
    readonly size: number,
    onFailure: (f: PeerFailure) => void,
    currentStep: () => number,
    log: (line: string) => void,
  ) {
    this.#onFailure = onFailure;
    this.#currentStep = currentStep;
    this.#log = log;
  }

  /**
   * Creates the channel of `rank`; then `listen` + `accept` (rank 0) or `connect`. `log`
   * receives the one line said about ignored input (default: stderr).
   */
  static create(
    rank: number,
    size: number,
    onFailure: (f: PeerFailure) => void,
    currentStep: () => number,
    log: (line: string) => void = (l) => console.error(l),
  ): SideChannel {
    return new SideChannel(rank, size, onFailure, currentStep, log);
  }

  /**
   * Rank 0: makes the job's secret and listens on `bind` (port `SIMCLR_DIST_PORT`, default
   * any free one); returns what to broadcast to the other ranks.
   */
  async listen(bind: string, connect: string[]): Promise<RendezvousInfo> {
    const secret = randomHex(32);
    this.#key = await MessageKey.fromSecret(secret);
    const fixed = Number(envGet("SIMCLR_DIST_PORT") ?? 0);
    if (!Number.isInteger(fixed) || fixed < 0 || fixed > 65535) {
      throw new RangeError(`SIMCLR_DIST_PORT=${envGet("SIMCLR_DIST_PORT")}: not a port number`);
    }
    let listener: Deno.Listener;
    try {
      listener = Deno.listen({ hostname: bind, port: fixed });
    } catch (err) {
      throw new Error(
        `rank 0 cannot listen for the side channel on ${bind}:${fixed || "(any port)"}: ` +
          `${(err as Error).message} (set SIMCLR_DIST_ADDR / SIMCLR_DIST_PORT, or ` +
          "SIMCLR_DIST_SIDECHANNEL=0 to go without it)",
      );
    }
    this.#listener = listener;
    return { connect, port: (listener.addr as Deno.NetAddr).port, secret };
  }

  /**
   * Rank 0: waits until every other rank has connected and authenticated (each is welcomed
   * with an authenticated reply), then stops listening. Until then, a rank whose connection
   * ends may connect again.
   */
  async accept(info: RendezvousInfo, timeoutMs = 60_000): Promise<void> {
    const listener = this.#listener!;
    const pending = new Set<Deno.Conn>(); // not authenticated yet, oldest first
    let allIn!: () => void;
    const everyone = new Promise<void>((resolve) => (allIn = resolve));
    this.#gathering = true;
    const greet = async (conn: Deno.Conn) => {
      const it = lines(conn);
      let why = "a connection that did not authenticate";
      try {
        const first = await withTimeout(it.next(), HELLO_MS, "hello");
        if (!first.done && pending.has(conn)) {
          const msg = await this.#open(first.value);
          if (!msg) why = "input that is not an authenticated side-channel message";
          else if (msg.t !== "hello" || msg.n !== 0) why = `an authenticated '${msg.t}' first`;
          else if (!(msg.from > 0 && msg.from < this.size)) why = `a hello from rank ${msg.from}`;
          else if (this.#peers.has(msg.from)) why = `a second hello from rank ${msg.from}`;
          else if (pending.delete(conn)) {
            const peer = new Peer(msg.from, conn, msg.c);
            peer.received = 0;
            this.#peers.set(msg.from, peer);
            this.#watch(peer, it); // if the connection ends now, the rank is forgotten
            const welcomed = await this.#send(peer, { t: "welcome" }).then(() => true, () => false);
            if (!welcomed) closeQuietly(conn);
            else if (this.#peers.size === this.size - 1) allIn();
            return;
          }
        }
      } catch (err) {
        why = `a connection that did not authenticate (${(err as Error).message})`;
      }
      pending.delete(conn);
      this.#ignored(why, remoteOf(conn));
      closeQuietly(conn);
    };
    (async () => {
      try {
        for await (const conn of listener) {
          if (pending.size >= MAX_UNAUTHENTICATED) {
            // a flood: the oldest waits longest; a real rank whose connection this was retries
            const oldest = pending.values().next().value!;
            pending.delete(oldest);
            this.#ignored("more unauthenticated connections than allowed", remoteOf(oldest));
            closeQuietly(oldest);
          }
          pending.add(conn);
          greet(conn);
        }
      } catch {
        // the listener was closed
      }
    })();
    try {
      await withTimeout(everyone, timeoutMs, "waiting for every rank on the side channel");
    } catch (err) {
      const missing = [...Array(this.size).keys()].filter((r) => r > 0 && !this.#peers.has(r));
      throw new Error(
        `${(err as Error).message}: ranks ${missing.join(", ")} did not connect to ` +
          `${info.connect.join(" / ")}:${info.port} (set SIMCLR_DIST_IFACE or ` +
          "SIMCLR_DIST_ADDR to an interface or address of rank 0's host they can reach, or " +
          "SIMCLR_DIST_SIDECHANNEL=0 to go without it)",
      );
    } finally {
      this.#gathering = false;
      closeQuietly(listener);
      this.#listener = null;
      for (const conn of pending) closeQuietly(conn);
    }
  }

  /**
   * Other ranks: connects to rank 0, introduces itself and waits for rank 0's authenticated
   * welcome; retries (a connection closed by rank 0 under a flood of strays, a listener of
   * someone else) until `timeoutMs`.
   */
  async connect(info: RendezvousInfo, timeoutMs = 60_000): Promise<void> {
    this.#key = await MessageKey.fromSecret(info.secret);
    const deadline = Date.now() + timeoutMs;
    const errors = new Map<string, string>(); // the last error per address
    while (true) {
      for (const hostname of info.connect) {
        let conn: Deno.TcpConn;
        try {
          conn = await withTimeout(
            Deno.connect({ hostname, port: info.port }),
            5_000,
            `connect ${hostname}`,
          );
        } catch (err) {
          errors.set(hostname, (err as Error).message);
          continue;
        }
        const peer = new Peer(0, conn, randomHex(8));
        const it = lines(conn);
        try {
          await this.#send(peer, { t: "hello" });
          const first = await withTimeout(it.next(), HELLO_MS, "welcome");
          const msg = first.done ? null : await this.#open(first.value);
          if (msg?.t === "welcome" && msg.from === 0 && msg.c === peer.id && msg.n === 0) {
            peer.received = 0;
            conn.setNoDelay(true);
            try {
              conn.setKeepAlive(true);
            } catch { /* not supported */ }
            this.#peers.set(0, peer);
            this.#watch(peer, it);
            return;
          }
          errors.set(
            hostname,
            first.done ? "closed before welcoming this rank" : "the answer is not rank 0's",
          );
        } catch (err) {
          errors.set(hostname, (err as Error).message);
        }
        closeQuietly(conn);
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `rank ${this.rank} could not reach rank 0's side channel on port ${info.port} ` +
        `(${[...errors].map(([a, e]) => `${a}: ${e}`).join("; ")}); set SIMCLR_DIST_IFACE ` +
        "or SIMCLR_DIST_ADDR, or SIMCLR_DIST_SIDECHANNEL=0",
    );
  }

  async #open(line: string): Promise<Message | null> {
    const m = await this.#key!.open(line) as Message | null;
    if (
      !m || typeof m !== "object" || typeof m.t !== "string" || !Number.isInteger(m.from) ||
      typeof m.c !== "string" || !Number.isInteger(m.n)
    ) return null;
    return m;
  }

  /** Sends on `peer`'s connection after its earlier messages (numbered in sending order). */
  #send(peer: Peer, msg: Omit<Message, "from" | "c" | "n">): Promise<void> {
    const sent = peer.queue.then(async () => {
      const full: Message = { ...msg, from: this.rank, c: peer.id, n: peer.sent++ };
      if (full.reason && full.reason.length > MAX_REASON) {
        full.reason = full.reason.slice(0, MAX_REASON) + " [...]";
      }
      const data = new TextEncoder().encode(await this.#key!.seal(full));
      let off = 0;
      while (off < data.length) off += await peer.conn.write(data.subarray(off));
    });
    peer.queue = sent.catch(() => {});
    return sent;
  }

  /** Logs the first input ignored (later ones silently): the job goes on. */
  #ignored(what: string, from: string) {
    if (this.#ignoredLogged) return;
    this.#ignoredLogged = true;
    this.#log(
      `side channel (rank ${this.rank}): ignored ${what} from ${from}; the job goes on ` +
        "(further ignored input is not logged)",
    );
  }

  #watch(peer: Peer, it: AsyncGenerator<string>) {
    (async () => {
      try {
        for await (const line of it) {
          const msg = await this.#open(line);
          if (
            !msg || msg.from !== peer.rank || msg.c !== peer.id || msg.n <= peer.received
          ) {
            this.#ignored(
              "a message that is not authentic for this connection",
              remoteOf(peer.conn),
            );
            continue;
          }
          peer.received = msg.n;
          if (msg.t === "bye") peer.done = true;
          else if (msg.t === "fail") {
            await this.#failure({
              // a rank reports only itself; rank 0 relays others' failures
              rank: peer.rank === 0 ? msg.rank ?? 0 : peer.rank,
              step: msg.step ?? this.#currentStep(),
              reason: msg.reason ?? "failed",
            });
          }
        }
      } catch {
        // a reset connection, or one that sent an over-long line: handled as an end
      }
      if (this.#gathering && this.#peers.get(peer.rank) === peer) {
        this.#peers.delete(peer.rank); // it may connect again
        return;
      }
      if (!peer.done && !this.#closing) {
        await this.#failure({
          rank: peer.rank,
          step: this.#currentStep(),
          reason: "the process ended without closing its communicator (killed, crashed, or " +
            "exited, or its host went down)",
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

  #sendAll(peers: Peer[], msg: Omit<Message, "from" | "c" | "n">, what: string) {
    return Promise.allSettled(peers.map((p) => withTimeout(this.#send(p, msg), 1_000, what)));
  }

  async #relay(f: PeerFailure) {
    const others = [...this.#peers.values()].filter((p) => p.rank !== f.rank && !p.done);
    await this.#sendAll(
      others,
      { t: "fail", rank: f.rank, step: f.step, reason: f.reason },
      "relay",
    );
  }

  /** Reports this rank's own failure to the others (rank 0 directly, others via rank 0). */
  async reportOwnFailure(step: number, reason: string): Promise<void> {
    this.#failed = true;
    const msg = { t: "fail" as const, rank: this.rank, step, reason };
    await this.#sendAll([...this.#peers.values()], msg, "report");
  }

  /** Clean end: says bye to every peer, then closes the connections. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#sendAll([...this.#peers.values()], { t: "bye" }, "bye");
    for (const p of this.#peers.values()) closeQuietly(p.conn);
    if (this.#listener) closeQuietly(this.#listener);
  }
}
