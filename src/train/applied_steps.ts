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
 * @example
 * ```ts
 * const applied = new AppliedSteps(initialTrainState());
 * // optimizer stage: state.microStep = g.microStep; applied.advance();
 * await applied.until(7); // micro-batch 7 went through an applied optimizer step
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
