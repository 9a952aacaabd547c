/** Batch norm's running statistics: applying the updates a training forward pass recorded. */
import * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "./forward_context.ts";

/**
 * Applies the running-statistics updates a training forward pass recorded (PyTorch rule:
 * `running = (1 - momentum) * running + momentum * batch`), then frees the batch statistics and
 * empties `updates`. The trainer calls it after each optimizer step.
 *
 * @param updates What `ctx.updates` collected (nothing to do when undefined).
 * @param momentum PyTorch's BN momentum (default 0.1).
 *
 * @example The running mean moves a tenth of the way to the batch mean
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { commitRunningStats, type RunningStatUpdate, smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = smallNet({ stemWidth: 2, widths: [] });
 * const updates: RunningStatUpdate[] = [];
 * const x = tf.ones([2, 3, 3, 3]) as tf.Tensor4D;
 * const h = encoder.apply(x, { training: true, updates });
 * const batchMean = await updates[0].mean.data();
 * commitRunningStats(updates, 0.1);
 * assert.equal(updates.length, 0);
 * const running = await encoder.store.get("encoder.stem.bn.running_mean").variable.data();
 * running.forEach((r, c) => assert.ok(Math.abs(r - 0.1 * batchMean[c]) < 1e-6));
 * tf.dispose([x, h]);
 * encoder.store.dispose();
 * ```
 */
export function commitRunningStats(
  updates: ForwardContext["updates"],
  momentum = 0.1,
): void {
  if (!updates) return;
  tf.tidy(() => {
    for (const u of updates) {
      u.runningMean.variable.assign(
        tf.add(tf.mul(u.runningMean.variable, 1 - momentum), tf.mul(u.mean, momentum)),
      );
      u.runningVar.variable.assign(
        tf.add(tf.mul(u.runningVar.variable, 1 - momentum), tf.mul(u.variance, momentum)),
      );
      u.batchesTracked.variable.assign(tf.add(u.batchesTracked.variable, 1));
    }
  });
  for (const u of updates) {
    u.mean.dispose();
    u.variance.dispose();
  }
  updates.length = 0;
}
