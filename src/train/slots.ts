/** Per-parameter optimizer slots (momentum, Adam moments) kept as variables. */
import * as tf from "@tensorflow/tfjs";
import type { Param } from "../model/params.ts";

/** Slots by `${param}/${slot}`. */
export class Slots {
  readonly #vars = new Map<string, tf.Variable>();

  /** The slot, created as zeros shaped like `param` when first used. */
  get(param: Param, slot: string): tf.Variable {
    const key = `${param.name}/${slot}`;
    let v = this.#vars.get(key);
    if (!v) {
      const zeros = tf.zerosLike(param.variable);
      v = tf.variable(zeros, false);
      zeros.dispose(); // the variable holds its own reference to the data
      this.#vars.set(key, v);
    }
    return v;
  }

  /** All slots by key. */
  entries(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.#vars);
  }

  /** Replaces all slots with copies of `slots`. */
  load(slots: Record<string, tf.Tensor>): void {
    this.dispose();
    for (const [k, t] of Object.entries(slots)) {
      const copy = t.clone();
      this.#vars.set(k, tf.variable(copy, false));
      copy.dispose(); // the variable holds its own reference to the data
    }
  }

  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}
