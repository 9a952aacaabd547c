/**
 * A reusable wake-up: waiters sleep until the next `notify()`.
 *
 * @example Waking a waiter
 * ```ts
 * import assert from "node:assert/strict";
 * import { Signal } from "./signal.ts";
 *
 * const s = new Signal();
 * let woke = false;
 * const waiting = s.wait().then(() => (woke = true));
 * await Promise.resolve();
 * assert.equal(woke, false);
 * s.notify();
 * await waiting;
 * assert.equal(woke, true);
 * ```
 */
export class Signal {
  #resolve: (() => void) | undefined;
  #promise: Promise<void> | undefined;

  /** Resolves at the next `notify()`. */
  wait(): Promise<void> {
    this.#promise ??= new Promise<void>((r) => (this.#resolve = r));
    return this.#promise;
  }

  /** Wakes every current waiter. */
  notify(): void {
    const r = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    r?.();
  }
}
