/**
 * The script every `parallelMap` worker runs. It imports the caller's module, builds the
 * mapper once from `init`, then maps items and posts results back, transferring their
 * buffers. It knows nothing of what it maps.
 */
/// <reference lib="deno.worker" />
import { transferables } from "./_transfer.ts";
import type { HostReply, HostRequest } from "./_worker_protocol.ts";

type Mapper = (item: unknown) => unknown;
let mapper: Mapper | undefined;
let pending: Promise<void> = Promise.resolve();

const post = (msg: HostReply, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

// A mapper that closes its worker would otherwise vanish without a word.
const close = self.close.bind(self);
self.close = () => {
  post({ type: "closed" });
  close();
};

self.onmessage = (e: MessageEvent<HostRequest>) => {
  const msg = e.data;
  if (msg.type === "init") {
    pending = start(msg.module, msg.exportName, msg.init);
  } else if (msg.type === "item") {
    // Items run one after another in arrival order; the pool keeps a few queued per worker.
    pending = pending.then(() => run(msg.id, msg.item));
  }
};

async function start(module: string, exportName: string, init: unknown): Promise<void> {
  try {
    const mod = await import(module);
    const factory = mod[exportName];
    if (typeof factory !== "function") {
      throw new TypeError(
        `module ${module} has no exported function '${exportName}' ` +
          `(export function ${exportName}(init) { return (item) => result; })`,
      );
    }
    const m = await factory(init);
    if (typeof m !== "function") {
      throw new TypeError(
        `${exportName}(init) in ${module} must return a function (item) => result`,
      );
    }
    mapper = m;
    post({ type: "ready" });
  } catch (error) {
    post({ type: "init-error", message: describe(error), stack: stackOf(error) });
  }
}

async function run(id: number, item: unknown): Promise<void> {
  if (!mapper) return; // init failed; the pool has already been told
  let value: unknown;
  try {
    value = await mapper(item);
  } catch (error) {
    post({ type: "error", id, message: describe(error), stack: stackOf(error) });
    return;
  }
  try {
    post({ type: "result", id, value }, transferables(value));
  } catch (error) {
    post({
      type: "error",
      id,
      message: `its result cannot be sent back: ${describe(error)}`,
      stack: stackOf(error),
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
