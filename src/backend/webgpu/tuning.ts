/**
 * Launch-shape choices of the project's WebGPU kernels: how many workgroups a dispatch should
 * have to fill the device (split-K and reduction fan-out aim for it), and the GEMM tile.
 * Software adapters (llvmpipe: one workgroup at a time per CPU thread) want few, large
 * workgroups; GPUs want hundreds.
 */
import type { GemmTile } from "./gemm.ts";

let targetWorkgroups = 256;
let software = false;

/**
 * Tunes for a software adapter (llvmpipe: SIMD lanes on CPU threads, where every load from
 * memory is a per-lane loop, so large register blocks per thread pay) or for a GPU.
 */
export function setSoftwareAdapter(on: boolean): void {
  software = on;
}

/** Whether the kernels are tuned for a software adapter (see {@link setSoftwareAdapter}). */
export function isSoftwareAdapter(): boolean {
  return software;
}

/** Sets the workgroup count that dispatches aim for (from the adapter, at registration). */
export function setTargetWorkgroups(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`target workgroups must be a positive integer, got ${n}`);
  }
  targetWorkgroups = n;
}

/** The workgroup count that dispatches aim for. */
export function getTargetWorkgroups(): number {
  return targetWorkgroups;
}

let dispatchLimit = 65535;

/**
 * Workgroups per dispatch axis beyond which row tiles are folded into the x axis (WebGPU's
 * default `maxComputeWorkgroupsPerDimension`, 65535; lower only to test the folding).
 */
export function setDispatchLimit(n: number): void {
  if (!(Number.isInteger(n) && n >= 1 && n <= 65535)) {
    throw new RangeError(`dispatch limit must be an integer in 1..65535, got ${n}`);
  }
  dispatchLimit = n;
}

/** See {@link setDispatchLimit}. */
export function getDispatchLimit(): number {
  return dispatchLimit;
}

let loopLimit = 65000;

/**
 * The most loop iterations one invocation of a project program may run, all its loops
 * together. Mesa's llvmpipe (the software adapter CI and GPU-less machines use) ends every
 * loop of a shader invocation once they have run 65535 iterations in total
 * (`LP_MAX_TGSI_LOOP_ITERATIONS`), silently: a longer contraction would just stop, with a
 * wrong result. The kernels split their work to stay under this (with a margin), and
 * {@link run} refuses a program that would not. Lower only to test the splitting.
 */
export function setLoopLimit(n: number): void {
  if (!(Number.isInteger(n) && n >= 64 && n <= 65000)) {
    throw new RangeError(`loop limit must be an integer in 64..65000, got ${n}`);
  }
  loopLimit = n;
}

/** See {@link setLoopLimit}. */
export function getLoopLimit(): number {
  return loopLimit;
}

let override: GemmTile | undefined;

/** Forces one GEMM tile for every product (`undefined`: back to the per-shape choice). */
export function setGemmTile(tile: GemmTile | undefined): void {
  override = tile;
}

/** The GEMM tile for a product of `m x n` outputs (small `n`: narrower tiles). */
export function gemmTile(_m: number, n: number): GemmTile {
  if (override) return override;
  // Measured on llvmpipe (2 cores; GFLOP per CPU-second, shared machine): 16x8 blocks per
  // thread beat 8x8 by 1.2-1.5x and 4x4 by 2-3x; 16x16 compiles 2x longer for no further gain.
  // Few columns (the 3-channel input gradient of a stem): narrow tiles, not 90% padding.
  if (n <= 4) {
    return software
      ? { bm: 128, bn: 4, bk: 16, tm: 16, tn: 4 }
      : { bm: 128, bn: 4, bk: 16, tm: 4, tn: 4 };
  }
  if (software) return { bm: 64, bn: 32, bk: 32, tm: 16, tn: 8 };
  if (n <= 32) return { bm: 64, bn: 32, bk: 16, tm: 4, tn: 4 };
  return { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };
}
