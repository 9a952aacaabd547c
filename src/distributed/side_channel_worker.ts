/**
 * Hosts the side channel (`side_channel.ts`) in a worker thread (`node:worker_threads`, whose
 * `unref()` lets the process end even if the communicator was never closed), so that failures are seen even
 * while the main thread is blocked (in a synchronous collective or a long synchronous
 * computation). On a failure, the worker tells the main thread; if the main thread does not
 * acknowledge within `graceMs` (it is blocked), the worker prints the error and ends the
 * process with status 1.
 *
 * Messages in: init {rank, size, hosts, shared, graceMs}, listen {bind, connect} (rank 0),
 * connect {info}, report {step, reason}, close. Out: listening {info} (rank 0), ready,
 * failure {rank, step, reason}, reported, closed, error.
 */
import {
  type PeerFailure,
  type RendezvousInfo,
  SHARED_ACK,
  SHARED_STEP,
  SideChannel,
} from "./side_channel.ts";
import { rankLabel } from "./_describe.ts";

interface Init {
  t: "init";
  rank: number;
  size: number;
  /** Host name of each rank, for messages. */
  hosts: string[];
  shared: SharedArrayBuffer;
  graceMs: number;
}

import { parentPort } from "node:worker_threads";

const port = parentPort!;
let channel: SideChannel | null = null;
let shared: Int32Array;
let hosts: string[] = [];
let rank = 0;
let closing = false;

function hardExit(message: string): never {
  // (a synchronous write: the worker's console output could still be queued at _exit)
  Deno.stderr.writeSync(new TextEncoder().encode(message + "\n"));
  try {
    const libc = Deno.dlopen("libc.so.6", { _exit: { parameters: ["i32"], result: "void" } });
    libc.symbols._exit(1);
  } catch {
    // no libc by that name: fall through
  }
  Deno.kill(Deno.pid, "SIGKILL");
  throw new Error("unreachable");
}

function onFailure(f: PeerFailure, graceMs: number) {
  if (closing) return;
  port.postMessage({ t: "failure", ...f });
  setTimeout(() => {
    if (Atomics.load(shared, SHARED_ACK) === 0) {
      hardExit(
        `${rankLabel(rank, hosts[rank])} stops: ${rankLabel(f.rank, hosts[f.rank])} failed at ` +
          `step ${f.step}: ${f.reason} (this rank was blocked; ended by the side channel)`,
      );
    }
  }, graceMs);
}

port.on("message", async (msg) => {
  try {
    if (msg.t === "init") {
      const init = msg as Init;
      rank = init.rank;
      hosts = init.hosts;
      shared = new Int32Array(init.shared);
      channel = SideChannel.create(
        init.rank,
        init.size,
        (f) => onFailure(f, init.graceMs),
        () => Atomics.load(shared, SHARED_STEP),
      );
    } else if (msg.t === "listen") {
      port.postMessage({ t: "listening", info: await channel!.listen(msg.bind, msg.connect) });
    } else if (msg.t === "connect") {
      const info = msg.info as RendezvousInfo;
      if (rank === 0) await channel!.accept(info);
      else await channel!.connect(info);
      port.postMessage({ t: "ready" });
    } else if (msg.t === "report") {
      await channel?.reportOwnFailure(msg.step, msg.reason);
      port.postMessage({ t: "reported" });
    } else if (msg.t === "close") {
      closing = true;
      await channel?.close();
      port.postMessage({ t: "closed" });
      port.close();
    }
  } catch (err) {
    port.postMessage({ t: "error", message: (err as Error).message });
  }
});
