/** Test helper: runs a command under the system `mpirun`, bounded in time. */
import { findMpirun, mpirunArgs } from "../../src/distributed/_mpirun.ts";

export const mpirunInfo = await findMpirun();

/** Why MPI tests are skipped here, or null when they run. */
export const mpiSkipReason = mpirunInfo
  ? null
  : "mpirun not found (apt-get install openmpi-bin libopenmpi-dev)";

/** Declares an MPI test, or prints why it is skipped. */
export function mpiTest(name: string, fn: () => Promise<void>) {
  Deno.test({
    name,
    ignore: mpiSkipReason !== null,
    fn,
  });
  if (mpiSkipReason) console.log(`skipping '${name}': ${mpiSkipReason}`);
}

export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `cmd` (default `mpirun -n np deno run -A script args`), killing it after
 * `timeoutMs` (SIGTERM to mpirun, which ends its ranks, then SIGKILL). `onStdout` sees the
 * output so far, with the child, to send it signals.
 */
export async function run(
  cmd: string[],
  options: {
    timeoutMs?: number;
    env?: Record<string, string>;
    onStdout?: (text: string, child: Deno.ChildProcess) => void;
    onStderr?: (text: string) => void;
  } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 3000);
  }, options.timeoutMs ?? 60_000);
  let stdout = "", stderr = "";
  const read = async (stream: ReadableStream<Uint8Array>, out: (s: string) => void) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) out(chunk);
  };
  await Promise.all([
    read(child.stdout, (s) => {
      stdout += s;
      options.onStdout?.(stdout, child);
    }),
    read(child.stderr, (s) => {
      stderr += s;
      options.onStderr?.(stderr);
    }),
  ]);
  const status = await child.status;
  clearTimeout(timer);
  return {
    code: status.code,
    signal: status.signal,
    stdout,
    stderr,
    ms: performance.now() - t0,
    timedOut,
  };
}

/** `mpirun -n np deno run -A <script> ...args`, bounded in time. */
export function runRanks(
  np: number,
  script: string,
  args: string[] = [],
  options: Parameters<typeof run>[1] = {},
): Promise<RunResult> {
  if (!mpirunInfo) throw new Error(mpiSkipReason!);
  const path = new URL(script, import.meta.url).pathname;
  return run([
    mpirunInfo.path,
    ...mpirunArgs(mpirunInfo.flavor, { np }),
    Deno.execPath(),
    "run",
    "-A",
    path,
    ...args,
  ], options);
}
