import type { CommBuffer, Communicator, ReduceOp } from "./communicator.ts";
import { describeError } from "./_describe.ts";
import { StopSignals } from "./signals.ts";

/**
 * The communicator of a lone process (size 1): every collective is the identity. Useful in
 * tests of code that takes a {@linkcode Communicator}.
 *
 * @example Collectives of one process
 * ```ts
 * import assert from "node:assert/strict";
 * import { SingleCommunicator } from "@simclr/streams/distributed";
 * // listenForStop: false leaves SIGINT/SIGTERM to the caller
 * const comm = new SingleCommunicator({ listenForStop: false });
 * assert.equal(comm.size, 1);
 * assert.deepEqual([...await comm.allReduce(Float32Array.of(1, 2), "mean")], [1, 2]);
 * assert.deepEqual([...await comm.broadcast(Int32Array.of(3), 0)], [3]);
 * assert.equal(await comm.agreeToStop(), false);
 * await comm.close();
 * ```
 */
export class SingleCommunicator implements Communicator {
  readonly kind = "single" as const;
  readonly rank = 0;
  readonly size = 1;
  step = 0;
  #signals: StopSignals | null;
  #closed = false;

  /** `listenForStop: false` leaves SIGINT/SIGTERM alone (default: listen). */
  constructor(options: { listenForStop?: boolean } = {}) {
    this.#signals = options.listenForStop === false ? null : new StopSignals();
  }

  get stopRequested(): boolean {
    return this.#signals?.requested ?? false;
  }

  allReduce(data: Float32Array, _op: ReduceOp): Promise<Float32Array> {
    this.#check();
    return Promise.resolve(data);
  }

  allGather<T extends CommBuffer>(data: T, out?: T): Promise<T> {
    this.#check();
    if (!out) return Promise.resolve(data.slice() as T);
    if (out.length !== data.length) {
      throw new RangeError(`allGather: out has ${out.length} elements, expected ${data.length}`);
    }
    out.set(data as never);
    return Promise.resolve(out);
  }

  allReduceSync(data: Float32Array, _op: ReduceOp): Float32Array {
    this.#check();
    return data;
  }

  allGatherSync<T extends CommBuffer>(data: T, out?: T): T {
    this.#check();
    if (!out) return data.slice() as T;
    if (out.length !== data.length) {
      throw new RangeError(`allGather: out has ${out.length} elements, expected ${data.length}`);
    }
    out.set(data as never);
    return out;
  }

  broadcast<T extends CommBuffer>(data: T, root = 0): Promise<T> {
    this.#check();
    if (root !== 0) throw new RangeError(`broadcast: root ${root} is not a rank of 1 process`);
    return Promise.resolve(data);
  }

  barrier(): Promise<void> {
    this.#check();
    return Promise.resolve();
  }

  agreeToStop(): Promise<boolean> {
    this.#check();
    return Promise.resolve(this.stopRequested);
  }

  abort(reason: unknown, exitCode = 1): Promise<never> {
    console.error(`rank 0 failed at step ${this.step}: ${describeError(reason)}`);
    Deno.exit(exitCode);
  }

  close(): Promise<void> {
    this.#signals?.dispose();
    this.#closed = true;
    return Promise.resolve();
  }

  #check() {
    if (this.#closed) throw new Error("the communicator is closed");
  }
}
