import type { Communicator } from "./communicator.ts";
import type { MpiOptions } from "./mpi.ts";
import { detectLaunch } from "./_launch_env.ts";
import { SingleCommunicator } from "./single.ts";

/**
 * Which communicator to create: `auto` = `mpi` under an MPI launcher, else `single`.
 *
 * @example Choosing the communicator from a setting
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CommunicatorKind, createCommunicator } from "@simclr/streams/distributed";
 * const setting: string = "single"; // e.g. the pipeline's dist.mode
 * const kind = setting as CommunicatorKind;
 * const comm = await createCommunicator(kind);
 * assert.equal(comm.kind, "single");
 * await comm.close();
 * ```
 */
export type CommunicatorKind = "auto" | "single" | "mpi";

/**
 * Creates the communicator of this process. `auto` picks `mpi` when the environment shows an
 * MPI launcher (`OMPI_COMM_WORLD_SIZE`, `PMIX_RANK`, `PMI_SIZE`, ...), else `single`. `mpi`
 * loads the system MPI library (lazily: nothing is loaded for `single`); it needs
 * `--allow-ffi` and Debian's `openmpi-bin libopenmpi-dev` (or MPICH), and says so when missing.
 *
 * @param kind `auto` (default), `single` or `mpi`.
 * @param options the MPI communicator's options (ignored by `single`).
 * @throws {TypeError} for an unknown `kind`.
 *
 * @example One process, or every rank under mpirun
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCommunicator } from "@simclr/streams/distributed";
 * // deno run -A train.ts              -> single (size 1)
 * // mpirun -n 2 deno run -A train.ts  -> mpi (size 2)
 * const comm = await createCommunicator("auto", { timeoutMs: 0 });
 * assert.equal(comm.size, Number(Deno.env.get("OMPI_COMM_WORLD_SIZE") ?? 1));
 * assert.ok(comm.rank >= 0 && comm.rank < comm.size);
 * await comm.close();
 * ```
 */
export async function createCommunicator(
  kind: CommunicatorKind = "auto",
  options: MpiOptions = {},
): Promise<Communicator> {
  if (kind !== "auto" && kind !== "single" && kind !== "mpi") {
    throw new TypeError(`unknown communicator '${kind}': choose auto, single or mpi`);
  }
  const useMpi = kind === "mpi" || (kind === "auto" && detectLaunch().underLauncher);
  if (!useMpi) return new SingleCommunicator();
  const { MpiCommunicator } = await import("./mpi.ts");
  return await MpiCommunicator.create(options);
}
