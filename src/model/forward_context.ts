/**
 * What a forward pass needs besides its input: training or inference mode, hooks for
 * distributed training, and where batch-norm layers leave their batch statistics.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Param } from "./params.ts";

/**
 * Hooks that let batch norm use statistics of the global batch across ranks (global BN).
 * Without them, statistics are those of the local batch. The distributed trainer supplies
 * them; on one rank, identity hooks give the local statistics.
 *
 * @example One-rank hooks give the same output as none
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { type BatchNormHooks, smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const hooks: BatchNormHooks = { allReduceSum: (sums) => sums.clone(), globalCount: (n) => n };
 * const encoder = smallNet({ stemWidth: 2, widths: [2] });
 * const x = tf.randomUniform([4, 4, 4, 3]) as tf.Tensor4D;
 * const a = encoder.apply(x, { training: true, batchNorm: hooks, updates: [] });
 * const b = encoder.apply(x, { training: true, updates: [] });
 * assert.ok(tf.tidy(() => a.sub(b).abs().max().arraySync() as number) < 1e-6);
 * tf.dispose([x, a, b]);
 * encoder.store.dispose();
 * ```
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

/**
 * Batch statistics one BN layer computed in training mode, waiting to update its buffers
 * (apply them with `commitRunningStats`).
 *
 * @example Read what a training forward pass recorded
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { commitRunningStats, type RunningStatUpdate, smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = smallNet({ stemWidth: 2, widths: [3] });
 * const updates: RunningStatUpdate[] = [];
 * const x = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
 * const h = encoder.apply(x, { training: true, updates });
 * assert.equal(updates.length, 3); // stem, stage1.0, stage1.1
 * assert.equal(updates[0].runningMean.name, "encoder.stem.bn.running_mean");
 * commitRunningStats(updates);
 * tf.dispose([x, h]);
 * encoder.store.dispose();
 * ```
 */
export interface RunningStatUpdate {
  /** The batch mean per channel. */
  mean: tf.Tensor1D;
  /** Unbiased variance (as PyTorch uses for `running_var`). */
  variance: tf.Tensor1D;
  /** The layer's `running_mean` buffer. */
  runningMean: Param;
  /** The layer's `running_var` buffer. */
  runningVar: Param;
  /** The layer's `num_batches_tracked` counter. */
  batchesTracked: Param;
}

/**
 * Mode and hooks of one forward pass: every `apply` takes one. Inference needs only
 * `{ training: false }`; training mode uses batch statistics and records running-stat updates.
 *
 * @example Inference and training contexts
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { commitRunningStats, createModel, type ForwardContext } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const model = createModel({ encoder: "small", smallWidths: { stem: 2, stages: [2] } });
 * const x = tf.randomUniform([2, 4, 4, 3]) as tf.Tensor4D;
 * const infer: ForwardContext = { training: false };
 * const train: ForwardContext = { training: true, updates: [] };
 * const a = model.apply(x, infer), b = model.apply(x, train);
 * assert.equal(train.updates!.length, 4); // 3 BNs in the encoder, 1 in the head
 * commitRunningStats(train.updates);
 * tf.dispose([x, a.h, a.z, b.h, b.z]);
 * model.dispose();
 * ```
 */
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
