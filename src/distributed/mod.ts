/**
 * Communication among the processes (ranks) of a data-parallel run: a small
 * {@linkcode Communicator} (`rank`, `size`, `allReduce`, `allGather`, `broadcast`, `barrier`,
 * `agreeToStop`) with two implementations, one process ({@linkcode SingleCommunicator}) or
 * ranks under `mpirun` (`mpi`, the system MPI library through Deno FFI), a check that the ranks
 * share one config ({@linkcode assertSameConfig}), and the `mpirun` launcher
 * ({@linkcode launchMain}, `deno task launch`).
 *
 * The training path calls {@linkcode createCommunicator}`("auto")` (MPI under `mpirun` or
 * `srun`, else one process) and passes the communicator to the data-parallel training hooks of
 * `@simclr/streams/train` (`distTrainingHooks`, `allReduceGradientsStage`).
 *
 * A rank that throws, exits or is killed makes the others stop within a second with a
 * {@linkcode DistError} naming the rank and the step, instead of waiting forever in a
 * collective.
 *
 * @example A training loop's collectives, on one process
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSameConfig, createCommunicator } from "@simclr/streams/distributed";
 *
 * const comm = await createCommunicator("single"); // "auto": mpi under mpirun, else single
 * await assertSameConfig(comm, { batch: 4, lr: 0.3 }); // throws on every rank when they differ
 * let steps = 0;
 * for (let step = 0; step < 3; step++) {
 *   comm.step = step; // named in the error when a rank fails
 *   const grads = await comm.allReduce(Float32Array.of(1, 2), "mean");
 *   assert.deepEqual([...grads], [1, 2]);
 *   steps++;
 *   if (await comm.agreeToStop()) break; // Ctrl-C: every rank stops at the same step
 * }
 * await comm.close();
 * assert.equal(steps, 3);
 * ```
 * @module
 */
export { type CommBuffer, type Communicator, DistError, type ReduceOp } from "./communicator.ts";
export { type CommunicatorKind, createCommunicator } from "./create.ts";
export type { MpiOptions } from "./mpi.ts";
export { SingleCommunicator } from "./single.ts";
export { assertSameConfig } from "./config_hash.ts";
export { launchMain } from "./launch.ts";
