/**
 * A reusable wake-up: waiters sleep until the next `notify()`.
 *
 * @example
 * ```ts
 * const s = new Signal();
 * setTimeout(() => s.notify(), 10);
 * await s.wait();
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
