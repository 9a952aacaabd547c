import type { CommBuffer, Communicator, ReduceOp } from "./communicator.ts";
import { DistError } from "./communicator.ts";
import { describeError, rankLabel } from "./_describe.ts";
import {
  loadMpi,
  MPI_THREAD_MULTIPLE,
  mpiErrorString,
  type MpiHandle,
  type MpiLib,
} from "./mpi_lib.ts";
import { type PeerFailure, type RendezvousInfo, SHARED_ACK, SHARED_STEP } from "./side_channel.ts";
import { chooseBindAddress, describeHost, type HostView } from "./rendezvous.ts";
import { StopSignals } from "./signals.ts";
import { envGet } from "./env.ts";
import { Worker as NodeWorker } from "node:worker_threads";

/**
 * Options of the MPI communicator (ignored by `single`).
 *
 * @example Longer collectives for a slow first step
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCommunicator, type MpiOptions } from "@simclr/streams/distributed";
 * const options: MpiOptions = { timeoutMs: 600_000, exitAfterFailureMs: 5000 };
 * const comm = await createCommunicator("single", options); // options apply to "mpi" only
 * assert.equal(comm.size, 1);
 * await comm.close();
 * ```
 */
export interface MpiOptions {
  /**
   * Fail a collective that has not completed after this many ms (a hung, not dead, peer).
   * 0 = never (default; env `SIMCLR_DIST_TIMEOUT_S` sets it in seconds).
   */
  timeoutMs?: number;
  /**
   * Use the TCP side channel that reports failed ranks within milliseconds (default true;
   * env `SIMCLR_DIST_SIDECHANNEL=0` turns it off).
   */
  sideChannel?: boolean;
  /**
   * After a peer failure, exit this process with status 1 if it is still running this many ms
   * later (its collectives can never finish; 0 = never). Default 5000.
   */
  exitAfterFailureMs?: number;
  /**
   * When a peer fails while this process's JS thread is blocked (in a synchronous
   * collective, or a long synchronous computation), the side channel's worker prints the
   * error and ends this process after this many ms (default 500; `mpirun` sends SIGTERM
   * about 1 s after a rank's end, SIGKILL 1 s later).
   */
  blockedExitMs?: number;
  /**
   * Report an uncaught error of this process to the peers, then exit (default true). Without
   * it, the peers still learn of the end, but not the error's text.
   */
  catchUncaught?: boolean;
}

/** Bytes per rank for its host description, and for rank 0's side-channel address. */
const BOOT_BYTES = 2048;

/** Ranks under `mpirun`, through the system MPI library (see `mpi_lib.ts`). */
export class MpiCommunicator implements Communicator {
  readonly kind = "mpi" as const;
  readonly rank: number;
  readonly size: number;
  /** Library flavor and version, for logs. */
  readonly library: string;
  #mpi: MpiLib;
  #queue: Promise<unknown> = Promise.resolve();
  #failure: DistError | null = null;
  #failed: Promise<never>;
  #rejectFailed!: (e: DistError) => void;
  #side: SideChannelHost | null = null;
  /** Host name of each rank (for messages). */
  #hosts: string[] = [];
  #step = 0;
  #inFlight = 0;
  #signals: StopSignals;
  #options: Required<MpiOptions>;
  #closed = false;
  #aborting = false;
  #onError = (e: ErrorEvent) => {
    e.preventDefault();
    this.abort(e.error ?? e.message);
  };
  #onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    this.abort(e.reason);
  };
  #onUnload = () => {
    if (!this.#closed && !this.#aborting) {
      console.error(
        `rank ${this.rank}: the process ends without closing its communicator (call ` +
          "`await comm.close()`); the other ranks see this rank as failed",
      );
    }
  };

  private constructor(mpi: MpiLib, rank: number, size: number, options: Required<MpiOptions>) {
    this.#mpi = mpi;
    this.rank = rank;
    this.size = size;
    this.#options = options;
    this.library = `${mpi.flavor} (${mpi.version})`;
    this.#failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));
    this.#failed.catch(() => {});
    this.#signals = new StopSignals();
    globalThis.addEventListener("unload", this.#onUnload);
    if (options.catchUncaught) {
      globalThis.addEventListener("error", this.#onError);
      globalThis.addEventListener("unhandledrejection", this.#onRejection);
    }
  }

  /** Initializes MPI (`MPI_Init_thread`, MULTIPLE) and the side channel. */
  static async create(options: MpiOptions = {}): Promise<MpiCommunicator> {
    const envTimeout = Number(envGet("SIMCLR_DIST_TIMEOUT_S") ?? 0);
    const opts: Required<MpiOptions> = {
      timeoutMs: options.timeoutMs ?? (envTimeout > 0 ? envTimeout * 1000 : 0),
      sideChannel: options.sideChannel ?? envGet("SIMCLR_DIST_SIDECHANNEL") !== "0",
      exitAfterFailureMs: options.exitAfterFailureMs ?? 5000,
      catchUncaught: options.catchUncaught ?? true,
      blockedExitMs: options.blockedExitMs ?? 500,
    };
    const mpi = loadMpi();
    const f = mpi.fn;
    const flag = new Int32Array(1);
    f.MPI_Initialized(flag);
    if (flag[0]) throw new Error("MPI is already initialized in this process");
    const provided = new Int32Array(1);
    check(mpi, f.MPI_Init_thread(null, null, MPI_THREAD_MULTIPLE, provided), "MPI_Init_thread");
    if (provided[0] < MPI_THREAD_MULTIPLE) {
      // Collectives run on Deno's FFI threads, one at a time but not always the same thread.
      console.warn(
        `warning: ${mpi.flavor} provides thread level ${provided[0]} < MPI_THREAD_MULTIPLE; ` +
          "collectives are serialized, which MPI_THREAD_SERIALIZED (2) covers",
      );
      if (provided[0] < 2) {
        throw new Error(
          `${mpi.flavor} provides thread level ${provided[0]}; this communicator needs at least ` +
            "MPI_THREAD_SERIALIZED (build MPI with thread support)",
        );
      }
    }
    check(
      mpi,
      f.MPI_Comm_set_errhandler(mpi.COMM_WORLD, mpi.ERRORS_RETURN),
      "MPI_Comm_set_errhandler",
    );
    const out = new Int32Array(1);
    check(mpi, f.MPI_Comm_rank(mpi.COMM_WORLD, out), "MPI_Comm_rank");
    const rank = out[0];
    check(mpi, f.MPI_Comm_size(mpi.COMM_WORLD, out), "MPI_Comm_size");
    const size = out[0];
    const comm = new MpiCommunicator(mpi, rank, size, opts);
    // Every rank must take the same path (the set-up uses collectives): agree on it.
    const canNet = Deno.permissions.querySync({ name: "net" }).state === "granted";
    const agreed = comm.allReduceSync(
      new Float32Array([opts.sideChannel && canNet ? 1 : 0]),
      "min",
    );
    if (opts.sideChannel && size > 1 && agreed[0] === 0) {
      opts.sideChannel = false;
      if (rank === 0) {
        console.warn(
          "warning: the side channel that reports a failed rank at once is off (a rank has no " +
            "--allow-net, or SIMCLR_DIST_SIDECHANNEL=0); a failure then ends the job through " +
            "mpirun, without its reason",
        );
      }
    }
    const views = size > 1 ? await comm.#gatherHosts() : [describeHost()];
    comm.#hosts = views.map((v) => v.host);
    if (opts.sideChannel && size > 1) {
      comm.#side = await SideChannelHost.open(
        rank,
        comm.#hosts,
        () => {
          const choice = chooseBindAddress(views, {
            addr: envGet("SIMCLR_DIST_ADDR"),
            iface: envGet("SIMCLR_DIST_IFACE"),
          });
          if (choice.wide) {
            console.warn(`warning: the side channel listens on every interface: ${choice.why}`);
          }
          return choice;
        },
        (info) => comm.#shareRendezvous(info),
        (failure) => comm.#peerFailed(failure),
        opts.blockedExitMs,
      );
    }
    await comm.barrier();
    return comm;
  }

  get step(): number {
    return this.#step;
  }

  set step(value: number) {
    this.#step = value;
    this.#side?.setStep(value);
  }

  /** "rank 1 (host node7)". */
  get #label(): string {
    return rankLabel(this.rank, this.#hosts[this.rank]);
  }

  get stopRequested(): boolean {
    return this.#signals.requested;
  }

  /** Every rank's host description, in rank order (one all-gather). */
  async #gatherHosts(): Promise<HostView[]> {
    const mine = describeHost();
    let bytes = new TextEncoder().encode(JSON.stringify(mine));
    while (bytes.length > BOOT_BYTES && mine.nets.length > 0) {
      mine.nets.pop(); // a host with very many interfaces: keep the first ones
      bytes = new TextEncoder().encode(JSON.stringify(mine));
    }
    if (bytes.length > BOOT_BYTES) throw new RangeError(`host name too long: ${mine.host}`);
    const buf = new Uint8Array(BOOT_BYTES);
    buf.set(bytes);
    const all = await this.allGather(buf);
    const decoder = new TextDecoder();
    return [...Array(this.size).keys()].map((r) =>
      JSON.parse(
        decoder.decode(all.subarray(r * BOOT_BYTES, (r + 1) * BOOT_BYTES)).replace(/\0+$/, ""),
      )
    );
  }

  /**
   * Broadcasts rank 0's side-channel address and secret (or its error: then every rank
   * throws it) over MPI.
   */
  async #shareRendezvous(info: RendezvousInfo | Error | null): Promise<RendezvousInfo> {
    const buf = new Uint8Array(BOOT_BYTES);
    if (info) {
      const body = info instanceof Error ? { error: info.message } : info;
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      if (bytes.length > BOOT_BYTES) throw new RangeError("side channel address too long");
      buf.set(bytes);
    }
    await this.broadcast(buf, 0);
    const got = JSON.parse(new TextDecoder().decode(buf).replace(/\0+$/, ""));
    if (got.error) throw new Error(`side channel of rank 0: ${got.error}`);
    return got;
  }

  #peerFailed(f: PeerFailure) {
    this.#side?.acknowledge();
    if (this.#failure || this.#closed) return;
    this.#failure = new DistError(f.rank, f.step, f.reason, this.#hosts[f.rank]);
    this.#rejectFailed(this.#failure);
    const ms = this.#options.exitAfterFailureMs;
    if (ms > 0) {
      const timer = setTimeout(() => {
        console.error(`${this.#label}: ${this.#failure!.message} (exiting)`);
        Deno.exit(1);
      }, ms);
      Deno.unrefTimer(timer);
    }
  }

  /** Runs one MPI call after the previous ones, racing peer failures and the timeout. */
  #run(what: string, call: () => Promise<number>): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the communicator is closed"));
    if (this.#failure) return Promise.reject(this.#failure);
    const step = this.step;
    this.#inFlight++;
    const run = this.#queue.then(async () => {
      if (this.#failure) throw this.#failure;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const racers: Promise<number>[] = [call(), this.#failed];
      if (this.#options.timeoutMs > 0) {
        racers.push(
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const err = new DistError(
                -1,
                step,
                `${what} did not complete within ${this.#options.timeoutMs} ms on rank ` +
                  `${this.rank} (a peer hangs, or is much slower)`,
              );
              this.#side?.report(step, err.reason);
              this.#peerFailed({ rank: -1, step, reason: err.reason });
              reject(err);
            }, this.#options.timeoutMs);
          }),
        );
      }
      try {
        check(this.#mpi, await Promise.race(racers), what);
      } finally {
        clearTimeout(timer);
      }
    }).finally(() => this.#inFlight--);
    this.#queue = run.catch(() => {});
    return run;
  }

  allReduce(data: Float32Array, op: ReduceOp): Promise<Float32Array> {
    const m = this.#mpi;
    const mpiOp = op === "max" ? m.MAX : op === "min" ? m.MIN : m.SUM;
    if (op !== "sum" && op !== "mean" && op !== "max" && op !== "min") {
      return Promise.reject(new RangeError(`unknown reduction '${op}'`));
    }
    return this.#run(
      "MPI_Allreduce",
      () => m.fn.MPI_Allreduce(m.IN_PLACE, data, data.length, m.FLOAT, mpiOp, m.COMM_WORLD),
    ).then(() => {
      if (op === "mean") {
        const inv = 1 / this.size;
        for (let i = 0; i < data.length; i++) data[i] *= inv;
      }
      return data;
    });
  }

  allGather<T extends CommBuffer>(data: T, out?: T): Promise<T> {
    const m = this.#mpi;
    const result = out ?? new (data.constructor as new (n: number) => T)(data.length * this.size);
    if (result.length !== data.length * this.size) {
      return Promise.reject(
        new RangeError(
          `allGather: out has ${result.length} elements, expected ${data.length * this.size}`,
        ),
      );
    }
    const type = this.#type(data);
    return this.#run(
      "MPI_Allgather",
      () => m.fn.MPI_Allgather(data, data.length, type, result, data.length, type, m.COMM_WORLD),
    ).then(() => result);
  }

  allReduceSync(data: Float32Array, op: ReduceOp): Float32Array {
    const m = this.#mpi;
    this.#checkSync("allReduceSync");
    const mpiOp = op === "max" ? m.MAX : op === "min" ? m.MIN : m.SUM;
    if (op !== "sum" && op !== "mean" && op !== "max" && op !== "min") {
      throw new RangeError(`unknown reduction '${op}'`);
    }
    check(
      m,
      m.fn.MPI_Allreduce_sync(m.IN_PLACE, data, data.length, m.FLOAT, mpiOp, m.COMM_WORLD),
      "MPI_Allreduce",
    );
    if (op === "mean") {
      const inv = 1 / this.size;
      for (let i = 0; i < data.length; i++) data[i] *= inv;
    }
    return data;
  }

  allGatherSync<T extends CommBuffer>(data: T, out?: T): T {
    const m = this.#mpi;
    this.#checkSync("allGatherSync");
    const result = out ?? new (data.constructor as new (n: number) => T)(data.length * this.size);
    if (result.length !== data.length * this.size) {
      throw new RangeError(
        `allGatherSync: out has ${result.length} elements, expected ${data.length * this.size}`,
      );
    }
    const type = this.#type(data);
    check(
      m,
      m.fn.MPI_Allgather_sync(data, data.length, type, result, data.length, type, m.COMM_WORLD),
      "MPI_Allgather",
    );
    return result;
  }

  #checkSync(what: string) {
    if (this.#closed) throw new Error("the communicator is closed");
    if (this.#failure) throw this.#failure;
    if (this.#inFlight > 0) {
      throw new Error(
        `${what}: an asynchronous collective is still in flight; await it first (collectives ` +
          "must run in the same order on every rank)",
      );
    }
  }

  broadcast<T extends CommBuffer>(data: T, root = 0): Promise<T> {
    const m = this.#mpi;
    if (!Number.isInteger(root) || root < 0 || root >= this.size) {
      return Promise.reject(new RangeError(`broadcast: root ${root} is not a rank`));
    }
    const type = this.#type(data);
    return this.#run(
      "MPI_Bcast",
      () => m.fn.MPI_Bcast(data, data.length, type, root, m.COMM_WORLD),
    ).then(() => data);
  }

  barrier(): Promise<void> {
    const m = this.#mpi;
    return this.#run("MPI_Barrier", () => m.fn.MPI_Barrier(m.COMM_WORLD));
  }

  async agreeToStop(): Promise<boolean> {
    const flag = new Float32Array([this.stopRequested ? 1 : 0]);
    await this.allReduce(flag, "max");
    return flag[0] > 0;
  }

  async abort(reason: unknown, exitCode = 1): Promise<never> {
    if (!this.#aborting) {
      this.#aborting = true;
      if (reason instanceof DistError && reason === this.#failure) {
        console.error(`${this.#label} stops: ${reason.message}`);
      } else {
        const text = describeError(reason);
        console.error(`${this.#label} failed at step ${this.step}: ${text}`);
        if (reason instanceof Error && reason.stack) console.error(reason.stack);
        await this.#side?.report(this.step, text);
      }
      Deno.exit(exitCode);
    }
    return await new Promise<never>(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.barrier();
    this.#closed = true;
    await this.#side?.close();
    this.#signals.dispose();
    globalThis.removeEventListener("error", this.#onError);
    globalThis.removeEventListener("unhandledrejection", this.#onRejection);
    globalThis.removeEventListener("unload", this.#onUnload);
    check(this.#mpi, this.#mpi.fn.MPI_Finalize(), "MPI_Finalize");
  }

  #type(data: CommBuffer): MpiHandle {
    const m = this.#mpi;
    if (data instanceof Float32Array) return m.FLOAT;
    if (data instanceof Float64Array) return m.DOUBLE;
    if (data instanceof Int32Array) return m.INT;
    if (data instanceof Uint8Array) return m.BYTE;
    throw new TypeError("collectives take Float32Array, Float64Array, Int32Array or Uint8Array");
  }
}

function check(mpi: MpiLib, code: number, what: string) {
  if (code !== 0) throw new Error(`${what} failed: ${mpiErrorString(mpi, code)}`);
}

/** The main thread's end of the side channel worker (`side_channel_worker.ts`). */
class SideChannelHost {
  #worker: NodeWorker;
  #shared: Int32Array;
  #waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    worker: NodeWorker,
    shared: Int32Array,
    onFailure: (f: PeerFailure) => void,
  ) {
    this.#worker = worker;
    this.#shared = shared;
    worker.on("message", (msg) => {
      if (msg.t === "failure") {
        onFailure({ rank: msg.rank, step: msg.step, reason: msg.reason });
        return;
      }
      if (msg.t === "error") {
        for (const w of this.#waiting.values()) w.reject(new Error(msg.message));
        this.#waiting.clear();
        return;
      }
      const w = this.#waiting.get(msg.t);
      this.#waiting.delete(msg.t);
      w?.resolve(msg);
    });
    worker.on("error", (err) => {
      for (const w of this.#waiting.values()) w.reject(err as Error);
      this.#waiting.clear();
    });
    // The worker must not keep the process alive (a rank that ends without close()).
    worker.unref();
  }

  #wait(t: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(t);
        reject(new Error(`side channel: no '${t}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(t, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /**
   * Starts the worker; rank 0 listens where `choose` says; the address and secret are shared
   * with `share` (an MPI broadcast: rank 0 gives its info or its error, the others null).
   */
  static async open(
    rank: number,
    hosts: string[],
    choose: () => { bind: string; connect: string[] },
    share: (info: RendezvousInfo | Error | null) => Promise<RendezvousInfo>,
    onFailure: (f: PeerFailure) => void,
    graceMs: number,
  ): Promise<SideChannelHost> {
    const worker = new NodeWorker(new URL("./side_channel_worker.ts", import.meta.url));
    const sab = new SharedArrayBuffer(8);
    const host = new SideChannelHost(worker, new Int32Array(sab), onFailure);
    try {
      worker.postMessage({ t: "init", rank, size: hosts.length, hosts, shared: sab, graceMs });
      let mine: RendezvousInfo | Error | null = null;
      if (rank === 0) {
        try {
          const { bind, connect } = choose();
          const listening = host.#wait("listening", 30_000);
          worker.postMessage({ t: "listen", bind, connect });
          mine = ((await listening) as { info: RendezvousInfo }).info;
        } catch (err) {
          mine = err as Error;
        }
      }
      const info = await share(mine);
      const ready = host.#wait("ready", 90_000);
      worker.postMessage({ t: "connect", info });
      await ready;
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return host;
  }

  setStep(step: number) {
    Atomics.store(this.#shared, SHARED_STEP, step | 0);
  }

  acknowledge() {
    Atomics.store(this.#shared, SHARED_ACK, 1);
  }

  async report(step: number, reason: string): Promise<void> {
    const done = this.#wait("reported", 2_000);
    this.#worker.postMessage({ t: "report", step, reason });
    await done.catch(() => {});
  }

  async close(): Promise<void> {
    const done = this.#wait("closed", 3_000);
    this.#worker.postMessage({ t: "close" });
    await done.catch(() => {});
    await this.#worker.terminate();
  }
}
