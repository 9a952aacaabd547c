/**
 * Lockstep for data-parallel training: the ranks' collectives must run in the same order on
 * every rank, and step k+1's forward pass needs step k's update. A driver that writes one
 * batch at a time into the trainer waits with {@link Lockstep.applied} until the optimizer
 * has applied that batch's step; {@link Lockstep.stage} (the last of the trainer's `stages`)
 * lets the wait fail at once when a later stage or the optimizer failed, instead of waiting
 * forever.
 */
import type { StepGradients } from "./step_gradients.ts";
import type { TrainState } from "./train_state.ts";

/** Waits for the optimizer to catch up with the driver. */
export class Lockstep {
  #failure: { reason: unknown } | undefined;

  /** A pass-through stage that records a failure downstream (or upstream) of it. */
  stage(): TransformStream<StepGradients, StepGradients> {
    const fail = (reason: unknown) => {
      this.#failure ??= { reason };
    };
    return new TransformStream<StepGradients, StepGradients>(
      {
        transform(g, controller) {
          controller.enqueue(g);
        },
        cancel: fail,
      } as Transformer<StepGradients, StepGradients>,
      { highWaterMark: 1 },
      { highWaterMark: 0 },
    );
  }

  /** Resolves once `state.batchStep >= batchStep`; rejects when the training chain failed. */
  async applied(state: TrainState, batchStep: number): Promise<void> {
    while (state.batchStep < batchStep) {
      if (this.#failure) {
        const r = this.#failure.reason;
        throw r instanceof Error ? r : new Error(`training stopped: ${String(r)}`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}
