/**
 * The communicator interface: what a training process needs from its peers. Two
 * implementations exist (`single.ts` for one process, `mpi.ts` for ranks under `mpirun`);
 * `create.ts` picks one, and nothing outside `src/distributed/` knows which one runs.
 */

/**
 * Reduction applied element-wise by {@linkcode Communicator.allReduce}: `mean` is the sum
 * divided by the number of ranks.
 *
 * @example
 * ```ts
 * const op: ReduceOp = "mean";
 * await comm.allReduce(grads, op);
 * ```
 */
export type ReduceOp = "sum" | "mean" | "max" | "min";

/**
 * Typed arrays a collective can carry (passed to the library without copies).
 *
 * @example
 * ```ts
 * const hashes: CommBuffer = new Uint8Array(32);
 * const all = await comm.allGather(hashes); // 32 * size bytes
 * ```
 */
export type CommBuffer = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * A group of `size` processes numbered `0..size-1`; this process is `rank`. Obtain one with
 * {@linkcode createCommunicator}; code that uses it never needs to know which kind runs.
 *
 * @example
 * ```ts
 * const comm = await createCommunicator("auto");
 * comm.step = 17;
 * const grads = new Float32Array(1000);
 * await comm.allReduce(grads, "mean"); // in place, the same on every rank
 * if (comm.rank === 0) console.log(`${comm.size} ranks`);
 * await comm.close();
 * ```
 */
export interface Communicator {
  /** Which implementation runs: `"single"` or `"mpi"` (for logs; never branch on it). */
  readonly kind: "single" | "mpi";
  /** This process's number, `0 <= rank < size`. */
  readonly rank: number;
  /** Number of processes. */
  readonly size: number;
  /**
   * Current training step (the optimizer step being computed, 0-based), set by the training
   * loop before each micro-batch's collectives. Failures are reported with it ("rank 1 failed
   * at step 17: ...").
   */
  step: number;
  /** Element-wise reduction over all ranks, in place: every rank ends with the result. */
  allReduce(data: Float32Array, op: ReduceOp): Promise<Float32Array>;
  /**
   * {@linkcode Communicator.allReduce} on the JS thread, blocking it until every rank has
   * contributed: for use inside synchronous code such as a TensorFlow.js gradient function
   * (global batch norm). Throws while an asynchronous collective is in flight. A peer that
   * fails meanwhile still ends this process within a second, with the error printed.
   */
  allReduceSync(data: Float32Array, op: ReduceOp): Float32Array;
  /**
   * {@linkcode Communicator.allGather} on the JS thread (blocking), e.g. for the NT-Xent
   * candidates inside the loss function.
   */
  allGatherSync<T extends CommBuffer>(data: T, out?: T): T;
  /**
   * Concatenates every rank's `data` (all of the same length) in rank order. `out`, when
   * given, must hold `size * data.length` elements and is filled and returned.
   */
  allGather<T extends CommBuffer>(data: T, out?: T): Promise<T>;
  /** Overwrites `data` on every rank with rank `root`'s (in place). */
  broadcast<T extends CommBuffer>(data: T, root?: number): Promise<T>;
  /** Waits until every rank has called it. */
  barrier(): Promise<void>;
  /**
   * True once this process was asked to stop (SIGINT, SIGTERM, or SIGUSR2 forwarded by
   * `mpirun`); see {@linkcode Communicator.agreeToStop}.
   */
  readonly stopRequested: boolean;
  /**
   * Collective: true on every rank when any rank was asked to stop. Call it at the same point
   * of every step; when it returns true, rank 0 writes its checkpoint and all ranks close.
   */
  agreeToStop(): Promise<boolean>;
  /**
   * Tells the other ranks that this one failed (so they stop with an error naming this rank
   * and step, instead of waiting in a collective), then exits the process with `exitCode`.
   */
  abort(reason: unknown, exitCode?: number): Promise<never>;
  /** Finishes cleanly (collective): after it, the communicator cannot be used. */
  close(): Promise<void>;
}

/**
 * How messages name a rank: `rank 1`, or `rank 1 (host node7)` when its host is known.
 *
 * @example
 * ```ts
 * rankLabel(1, "node7"); // "rank 1 (host node7)"
 * ```
 */
export function rankLabel(rank: number, host?: string): string {
  return host ? `rank ${rank} (host ${host})` : `rank ${rank}`;
}

/**
 * A failure of a peer (or of the group) seen by this rank: collectives reject with it, and
 * its message reads "rank 1 (host node7) failed at step 17: Error: ...".
 *
 * @example
 * ```ts
 * try {
 *   await comm.allReduce(grads, "mean");
 * } catch (err) {
 *   if (err instanceof DistError) console.error(`rank ${err.rank} broke at ${err.step}`);
 *   throw err;
 * }
 * ```
 */
export class DistError extends Error {
  /** The rank that failed, or -1 when unknown. */
  readonly rank: number;
  /** The step at which it failed (as far as this rank knows). */
  readonly step: number;
  /** What happened, as reported by the failed rank or observed here. */
  readonly reason: string;
  /** The failed rank's host, when known. */
  readonly host: string | undefined;
  /** A failure of `rank` (-1: unknown) on `host` at `step`, because of `reason`. */
  constructor(rank: number, step: number, reason: string, host?: string) {
    super(
      rank >= 0
        ? `${rankLabel(rank, host)} failed at step ${step}: ${reason}`
        : `at step ${step}: ${reason}`,
    );
    this.name = "DistError";
    this.rank = rank;
    this.step = step;
    this.reason = reason;
    this.host = host;
  }
}

/** Text of an error or thrown value, for failure messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
