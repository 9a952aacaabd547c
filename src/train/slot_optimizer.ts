/** What LARS, momentum SGD and AdamW share: per-parameter slot tensors and an update counter. */
import type { Param } from "../model/params.ts";
import type { Optimizer, OptimizerState } from "./optimizer.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { Slots } from "./slots.ts";

/** An optimizer whose state is its slots (momentum, moments) and its iteration count. */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly kind: string;
  /** Updates applied so far. */
  protected iterations = 0;
  /** Slot tensors by parameter and slot name. */
  protected readonly slots: Slots = new Slots();

  abstract apply(params: Param[], grads: NamedTensors, lr: number): void;

  state(): OptimizerState {
    return { kind: this.kind, iterations: this.iterations, slots: this.slots.entries() };
  }

  loadState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new TypeError(
        `optimizer state is for '${state.kind}' but this run uses '${this.kind}': resume with ` +
          `the same optimizer, or start from the weights only`,
      );
    }
    this.iterations = state.iterations;
    this.slots.load(state.slots);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
