/**
 * The communicator interface: what a training process needs from its peers. Two
 * implementations exist (`single.ts` for one process, `mpi.ts` for ranks under `mpirun`);
 * `create.ts` picks one, and nothing outside `src/distributed/` knows which one runs.
 */
import { rankLabel } from "./_describe.ts";

/**
 * Reduction applied element-wise by {@linkcode Communicator.allReduce}: `mean` is the sum
 * divided by the number of ranks.
 *
 * @example Averaging gradients
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ReduceOp, SingleCommunicator } from "@simclr/streams/distributed";
 * const comm = new SingleCommunicator({ listenForStop: false });
 * const op: ReduceOp = "mean";
 * const grads = await comm.allReduce(Float32Array.of(0.5, -1), op); // one rank: unchanged
 * assert.deepEqual([...grads], [0.5, -1]);
 * await comm.close();
 * ```
 */
export type ReduceOp = "sum" | "mean" | "max" | "min";

/**
 * Typed arrays a collective can carry (passed to the library without copies).
 *
 * @example Gathering a hash from every rank
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CommBuffer, SingleCommunicator } from "@simclr/streams/distributed";
 * const comm = new SingleCommunicator({ listenForStop: false });
 * const hash: CommBuffer = new Uint8Array(32).fill(7);
 * const all = await comm.allGather(hash); // 32 * size bytes, in rank order
 * assert.equal(all.length, 32 * comm.size);
 * await comm.close();
 * ```
 */
export type CommBuffer = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * A group of `size` processes numbered `0..size-1`; this process is `rank`. Obtain one with
 * {@linkcode createCommunicator}; code that uses it never needs to know which kind runs.
 *
 * @example Code that runs the same on one rank or many
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Communicator, createCommunicator } from "@simclr/streams/distributed";
 *
 * async function globalMean(comm: Communicator, local: number[]): Promise<number> {
 *   const sums = Float32Array.of(local.reduce((a, b) => a + b, 0), local.length);
 *   await comm.allReduce(sums, "sum"); // in place, the same on every rank
 *   return sums[0] / sums[1];
 * }
 * const comm = await createCommunicator("single"); // "auto" under mpirun
 * comm.step = 17; // failures are reported "at step 17"
 * assert.equal(await globalMean(comm, [1, 2, 6]), 3);
 * assert.equal(comm.rank, 0);
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
 * A failure of a peer (or of the group) seen by this rank: collectives reject with it, and
 * its message reads "rank 1 (host node7) failed at step 17: Error: ...".
 *
 * @example Telling a peer's failure from a local one
 * ```ts
 * import assert from "node:assert/strict";
 * import { DistError } from "@simclr/streams/distributed";
 * // what a collective rejects with when rank 1 on node7 failed at step 17
 * const err: unknown = new DistError(1, 17, "Error: out of memory", "node7");
 * assert.ok(err instanceof DistError);
 * assert.equal(err.rank, 1);
 * assert.equal(err.message, "rank 1 (host node7) failed at step 17: Error: out of memory");
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
