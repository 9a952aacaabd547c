/**
 * Seams for data-parallel training (implemented elsewhere, e.g. over MPI): global batch-norm
 * statistics and the all-gather of projections for NT-Xent. The cross-rank gradient all-reduce
 * is an ordinary `TransformStream<StepGradients, StepGradients>` stage before the optimizer.
 */
import type { BatchNormHooks } from "../model/forward_context.ts";
import type { NtXentOptions } from "./nt_xent.ts";

/** Hooks into the forward pass. */
export interface TrainingHooks {
  /** Reduce batch-norm statistics across ranks (global BN). */
  batchNorm?: BatchNormHooks;
  /** Gather the projections of all ranks as NT-Xent candidates. */
  gather?: NtXentOptions["gather"];
}
