/**
 * Stop requests from signals. `mpirun` answers Ctrl-C by sending every rank SIGCONT, then
 * SIGTERM one second later, then SIGKILL one more second later (Open MPI 4.1,
 * `odls_base_sigkill_timeout` = 1); it forwards SIGUSR2 to every rank without killing them,
 * which is the graceful way (`launch.ts` does it on Ctrl-C). SIGUSR1 is not usable: Deno
 * starts its inspector on it.
 */
const STOP_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGUSR2"];

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGINT: 2,
  SIGTERM: 15,
  SIGUSR2: 12,
};

/** Listens for stop signals while alive; a second one exits at once (status 128 + number). */
export class StopSignals {
  requested = false;
  #handlers: [Deno.Signal, () => void][] = [];
  #onStop: ((signal: Deno.Signal) => void) | undefined;

  constructor(onStop?: (signal: Deno.Signal) => void) {
    this.#onStop = onStop;
    if (Deno.build.os === "windows") return;
    for (const signal of STOP_SIGNALS) {
      const handler = () => {
        if (this.requested) Deno.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
        this.requested = true;
        this.#onStop?.(signal);
      };
      try {
        Deno.addSignalListener(signal, handler);
        this.#handlers.push([signal, handler]);
      } catch {
        // no permission or unsupported: stop requests then come only from peers
      }
    }
  }

  dispose(): void {
    for (const [signal, handler] of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#handlers = [];
  }
}
