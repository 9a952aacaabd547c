/**
 * What a forward pass needs besides its input: training or inference mode, hooks for
 * distributed training, and where batch-norm layers leave their batch statistics.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Param } from "./params.ts";

/**
 * Hooks that let batch norm use statistics of the global batch across ranks (global BN).
 * Without them, statistics are those of the local batch.
 */
export interface BatchNormHooks {
  /**
   * Sums a `[k, C]` tensor of per-channel sums over all ranks (an all-reduce). Called in the
   * forward pass with `[sum x, sum x^2]` and in the backward pass with `[sum dy, sum dy*xhat]`.
   */
  allReduceSum(sums: tf.Tensor2D): tf.Tensor2D;
  /** The global number of values per channel, given the local one. */
  globalCount(localCount: number): number;
}

/** Batch statistics one BN layer computed in training mode, waiting to update its buffers. */
export interface RunningStatUpdate {
  mean: tf.Tensor1D;
  /** Unbiased variance (as PyTorch uses for `running_var`). */
  variance: tf.Tensor1D;
  runningMean: Param;
  runningVar: Param;
  batchesTracked: Param;
}

/** Mode and hooks of one forward pass. */
export interface ForwardContext {
  /** Training mode: BN uses batch statistics and records running-stat updates. */
  training: boolean;
  /** Global batch-norm hooks (distributed training). */
  batchNorm?: BatchNormHooks;
  /** Filled in training mode; apply with `commitRunningStats` after the step. */
  updates?: RunningStatUpdate[];
  /**
   * When given (training under a gradient tape), layers keep the tensors their gradients need
   * as zero-copy aliases listed here instead of the engine's saved copies, and free each as
   * soon as its gradient has run. The caller disposes the list after computing gradients (this
   * frees what a gradient that never ran still holds). Without it, layers save as usual.
   */
  retain?: tf.Tensor[];
}
