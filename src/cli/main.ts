/** Shared entry-point handling of the CLI commands: errors become messages and exit codes. */
import { ArgsError } from "./args.ts";

/** Runs `fn`; prints a failure as one message (stack only with `SIMCLR_DEBUG=1`) and exits. */
export async function runMain(fn: () => Promise<number | void>): Promise<void> {
  let code = 0;
  try {
    code = (await fn()) ?? 0;
  } catch (err) {
    const debug = Deno.env.get("SIMCLR_DEBUG") === "1";
    const msg = err instanceof Error ? (debug ? err.stack ?? err.message : err.message) : err;
    console.error(`error: ${msg}`);
    code = err instanceof ArgsError ? 2 : 1;
  }
  Deno.exit(code);
}

/** Signals that ask for a stop after the current step, and how the log names them. */
const STOP_SIGNALS: [Deno.Signal, number, string][] = [
  ["SIGINT", 2, "Ctrl-C"],
  ["SIGTERM", 15, "SIGTERM"], // what timeout, docker, Slurm, Kubernetes and systemd send
];

/**
 * Stop requests: the first SIGINT (Ctrl-C) or SIGTERM aborts the returned signal (training
 * stops after the current step, writing a checkpoint; its reason names the signal); a second
 * one exits at once with status 128 + the signal's number.
 */
export function interruptSignal(log: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  for (const [signal, number, name] of STOP_SIGNALS) {
    const handler = () => {
      if (controller.signal.aborted) {
        log(`second ${name}: exiting now`);
        Deno.exit(128 + number);
      }
      log(`${name}: stopping after this step and writing a checkpoint (${name} again to quit now)`);
      controller.abort(new Error(`interrupted by ${signal}`, { cause: signal }));
    };
    try {
      Deno.addSignalListener(signal, handler);
    } catch { /* no signals on this platform */ }
  }
  return controller.signal;
}

/**
 * Exit status of a run stopped before its end: 128 + the number of the signal that stopped
 * it (130 for Ctrl-C, 143 for SIGTERM); 130 when no signal of this process did (on several
 * ranks, a stop asked of another rank).
 */
export function stoppedExitCode(signal: AbortSignal): number {
  const cause = signal.aborted ? (signal.reason as Error | undefined)?.cause : undefined;
  return 128 + (STOP_SIGNALS.find(([s]) => s === cause)?.[1] ?? 2);
}
