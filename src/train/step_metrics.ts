/** Per-step metrics: the record of `metrics.jsonl` (its file: `_metrics_file.ts`). */

/**
 * What the optimizer stage reports every `logEvery` steps: one line of `metrics.jsonl`, which
 * the run report reads back.
 *
 * @example Metrics of every second step
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, type StepMetrics, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const metrics: StepMetrics[] = [];
 * await ReadableStream.from([0, 1, 2, 3].map(batch)).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.2, logEvery: 2,
 *   onMetrics: (m) => { metrics.push(m); },
 * }));
 * assert.deepEqual(metrics.map((m) => [m.step, m.lr]), [[2, 0.2], [4, 0.2]]);
 * assert.ok(metrics[0].accuracy >= 0 && metrics[0].accuracy <= 1);
 * ```
 */
export interface StepMetrics {
  /** Optimizer steps done (after this one). */
  step: number;
  /** Epoch of the step's last batch. */
  epoch: number;
  /** NT-Xent loss of the step (the objective's loss when fine-tuning). */
  loss: number;
  /** Contrastive top-1 accuracy. */
  accuracy: number;
  /** Learning rate used by this step. */
  lr: number;
  /**
   * The online linear classifier (when it trains and the step had labelled samples): mean
   * cross-entropy and top-1 accuracy on the step's first views, before its update.
   */
  onlineLoss?: number;
  /** The online classifier's top-1 accuracy (see `onlineLoss`). */
  onlineTop1?: number;
  /** Views per second over the interval since the last report. */
  imagesPerSec: number;
  /** Milliseconds per step, averaged over the interval: waiting for data, computing. */
  waitMs: number;
  /** Milliseconds per step spent computing. */
  computeMs: number;
  /** Wall-clock time (ISO). */
  time: string;
}
