/**
 * Communication among the processes (ranks) of a data-parallel run: a small
 * {@linkcode Communicator} (`rank`, `size`, `allReduce`, `allGather`, `broadcast`, `barrier`)
 * with two implementations, one process (`single`) or ranks under `mpirun` (`mpi`, the system
 * MPI library through Deno FFI); a flat buffer to fuse gradients into one all-reduce, a check
 * that ranks share one config, and the `mpirun` launcher. How an epoch is split among ranks is
 * `src/streams/epochs.ts` (`rankIndices`, the blocked split).
 *
 * A rank that throws, exits or is killed makes the others stop within a second with an error
 * naming the rank and the step, instead of waiting forever in a collective.
 *
 * @example
 * ```ts
 * import { assertSameConfig, createCommunicator, FlatPacker } from "./src/distributed/mod.ts";
 * const comm = await createCommunicator("auto"); // mpi under mpirun, else single
 * await assertSameConfig(comm, config);
 * const packer = new FlatPacker(gradientSizes);
 * for (let step = 0; step < steps; step++) {
 *   comm.step = step;
 *   // ... write local gradients into packer.view(name) ...
 *   await comm.allReduce(packer.buffer, "mean");
 *   if (await comm.agreeToStop()) break; // Ctrl-C: every rank stops at the same step
 * }
 * await comm.close();
 * ```
 * @module
 */
export { type CommBuffer, type Communicator, DistError, type ReduceOp } from "./communicator.ts";
export {
  type CommunicatorKind,
  createCommunicator,
  detectLaunch,
  type LaunchInfo,
} from "./create.ts";
export type { MpiOptions } from "./mpi.ts";
export { SingleCommunicator } from "./single.ts";
export { FlatPacker, type FlatSlot } from "./flat.ts";
export { assertSameConfig, compareAcrossRanks, configHash } from "./config_hash.ts";
export { broadcastBytes, broadcastText } from "./broadcast_bytes.ts";
export { findMpirun, launchMain, mpirunArgs, type MpirunOptions } from "./launch.ts";
