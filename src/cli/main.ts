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

/**
 * Ctrl-C handling: the first SIGINT aborts the returned signal (training stops after the
 * current step, writing a checkpoint); a second one exits at once.
 */
export function interruptSignal(log: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) {
      log("second Ctrl-C: exiting now");
      Deno.exit(130);
    }
    log("Ctrl-C: stopping after this step and writing a checkpoint (Ctrl-C again to quit now)");
    controller.abort(new Error("interrupted"));
  };
  try {
    Deno.addSignalListener("SIGINT", handler);
  } catch { /* no signals on this platform */ }
  return controller.signal;
}
