/**
 * Detecting an MPI launcher from its environment variables, without any MPI call (private to
 * the package; `createCommunicator("auto")` and the pipelines use it).
 */
import { envGet } from "./env.ts";

/**
 * What the environment says about an MPI launcher around this process.
 */
export interface LaunchInfo {
  /** True when started by `mpirun`/`mpiexec`/`srun` with a process-manager interface. */
  underLauncher: boolean;
  /** The launcher's idea of this process's rank (before MPI starts), when it says. */
  rank?: number;
  /** The launcher's idea of the number of ranks, when it says. */
  size?: number;
  /**
   * This rank's number among the ranks on its host, when the launcher says (Open MPI
   * `OMPI_COMM_WORLD_LOCAL_RANK`, MPICH `MPI_LOCALRANKID`, Slurm `SLURM_LOCALID`): the GPU index
   * to give it with one GPU per rank.
   */
  localRank?: number;
  /** The variable that told. */
  source?: string;
}

const RANK_VARS: [string, string][] = [
  ["OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"], // Open MPI
  ["PMIX_RANK", "PMIX_SIZE"], // PMIx (Open MPI 5, Slurm)
  ["PMI_RANK", "PMI_SIZE"], // MPICH (Hydra), Intel MPI
];

/** Rank among the ranks of this host (for one GPU per rank). */
const LOCAL_RANK_VARS = ["OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"];

/**
 * Detects an MPI launcher from its environment variables (no MPI calls): Open MPI's
 * `OMPI_COMM_WORLD_RANK/SIZE`, PMIx's `PMIX_RANK`, MPICH's `PMI_RANK/SIZE`.
 * For example, `detectLaunch(new Map([["OMPI_COMM_WORLD_RANK", "1"], ["OMPI_COMM_WORLD_SIZE",
 * "2"]]))` is `{ underLauncher: true, rank: 1, size: 2, source: "OMPI_COMM_WORLD_RANK" }`.
 */
export function detectLaunch(
  env: { get(name: string): string | undefined } = { get: envGet },
): LaunchInfo {
  const read = (name: string) => {
    try {
      return env.get(name);
    } catch {
      return undefined; // no --allow-env for it
    }
  };
  const localVar = LOCAL_RANK_VARS.find((v) => read(v) !== undefined);
  const local = localVar ? { localRank: Number(read(localVar)) } : {};
  for (const [rankVar, sizeVar] of RANK_VARS) {
    const rank = read(rankVar);
    if (rank !== undefined) {
      const size = read(sizeVar);
      return {
        underLauncher: true,
        rank: Number(rank),
        size: size === undefined ? undefined : Number(size),
        ...local,
        source: rankVar,
      };
    }
  }
  if (read("OMPI_COMM_WORLD_SIZE") !== undefined || read("PMI_SIZE") !== undefined) {
    return { underLauncher: true, source: "OMPI_COMM_WORLD_SIZE/PMI_SIZE" };
  }
  return { underLauncher: false };
}
