/**
 * The optimizer stage's progress as promises: the stage calls {@link AppliedSteps.advance}
 * after each step it applied and {@link AppliedSteps.fail} when the training chain broke, and a
 * driver awaits {@link AppliedSteps.until} (before the kNN monitor reads the weights, or to keep
 * ranks in lockstep) instead of polling the train state on a timer.
 */
import { Signal } from "../streams/signal.ts";
import type { TrainState } from "./train_state.ts";

/**
 * Awaitable applied steps over a {@link TrainState} that the optimizer stage advances.
 *
 * @example Waiting for a micro-batch's update before reading the weights
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { AppliedSteps, type Batch, MomentumSgd, trainer } from "@simclr/streams/train";
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
 * const sink = trainer({ model, optimizer: new MomentumSgd(), learningRate: () => 0.1 });
 * const applied: AppliedSteps = sink.applied;
 * const writer = sink.getWriter();
 * await writer.write(batch(0));
 * await writer.write(batch(1));
 * await applied.until(1); // micro-batch 1 went through an applied optimizer step
 * assert.equal(applied.state.step, 2);
 * await writer.close();
 * ```
 */
export class AppliedSteps {
  readonly #signal = new Signal();
  #failure: { reason: unknown } | undefined;

  /** `state` is the one the optimizer stage updates. */
  constructor(readonly state: TrainState) {}

  /** The optimizer stage applied a step (and updated `state`): wakes the waiters. */
  advance(): void {
    this.#signal.notify();
  }

  /** The training chain failed: every wait, current or later, rejects with `reason`. */
  fail(reason: unknown): void {
    this.#failure ??= { reason };
    this.#signal.notify();
  }

  /**
   * Resolves once micro-batch `microStep` went through an applied optimizer step
   * (`state.microStep >= microStep`); rejects when the training chain failed first.
   */
  async until(microStep: number): Promise<void> {
    while (this.state.microStep < microStep) {
      if (this.#failure) {
        const r = this.#failure.reason;
        throw r instanceof Error ? r : new Error(`training stopped: ${String(r)}`);
      }
      await this.#signal.wait();
    }
  }
}
