/**
 * `parallelMap`: maps a stream through a pool of module workers, with a bounded number of
 * items in flight, buffers transferred (not copied) both ways, and output in input order.
 */
import { Signal } from "./signal.ts";
import { stageStats } from "./_pull_readable.ts";
import type { StageOptions, StreamPair } from "./stage.ts";
import { transferables } from "./_transfer.ts";
import type { HostReply, HostRequest } from "./_worker_protocol.ts";

/**
 * Options of {@link parallelMap}.
 *
 * @example Two workers, naming items by their key in errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, parallelMap, type ParallelMapOptions } from "@simclr/streams/streams";
 *
 * const dir = await Deno.makeTempDir();
 * const mapper = `${dir}/fail_on_b.ts`;
 * await Deno.writeTextFile(
 *   mapper,
 *   `export function createMapper() {
 *      return (item) => { if (item.name === "b") throw new Error("bad input"); return item.n; };
 *    }`,
 * );
 * type Item = { name: string; n: number };
 * const options: ParallelMapOptions<Item> = {
 *   workers: 2,
 *   inFlight: 4,
 *   describe: (item) => `sample ${item.name}`,
 *   timeoutMs: 60_000,
 * };
 * const items = [{ name: "a", n: 1 }, { name: "b", n: 2 }];
 * const out = fromIterable(items).pipeThrough(parallelMap<Item, number>(new URL(`file://${mapper}`), options));
 * await assert.rejects(() => collect(out), /sample b.*bad input/s);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface ParallelMapOptions<I> extends StageOptions {
  /** Workers in the pool (default `navigator.hardwareConcurrency`, at least 1). */
  workers?: number;
  /**
   * Most items dispatched but not yet handed downstream, including finished ones waiting
   * for an earlier item (default `2 * workers`). This bounds the memory of the stage.
   */
  inFlight?: number;
  /** Passed (structured-cloned) once to every worker's factory. */
  init?: unknown;
  /** Name of the factory the module exports (default `"createMapper"`). */
  exportName?: string;
  /**
   * Which buffers of an input item move to the worker: `"auto"` (default: every ArrayBuffer
   * reachable through plain objects, arrays, Maps, Sets and typed arrays; a typed array's whole
   * buffer moves, so send views that own their buffer, `slice()` not `subarray()`), `"none"`
   * (copy), or a function listing them. Results coming back are always transferred the `"auto"`
   * way.
   */
  transfer?: "auto" | "none" | ((item: I) => Transferable[]);
  /** Names an item in errors (default: its `key` when it has a string one, else `#n`). */
  describe?: (item: I, seq: number) => string;
  /** Fail when one item takes longer than this on its worker (ms, default: no limit). */
  timeoutMs?: number;
}

interface PoolWorker {
  id: number;
  worker: Worker;
  /** Items sent and not answered, in the order the worker runs them. */
  queue: number[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Maps items through a pool of Deno module workers, preserving input order.
 *
 * **Worker module contract.** `module` is the URL of an ES module that exports a factory
 * (by default `createMapper`). Each worker imports it once, calls `createMapper(init)`
 * (`init` is structured-cloned to every worker; the factory may be async) and then calls
 * the returned function on each item it is given, one item at a time:
 *
 * ```ts
 * // my_mapper.ts
 * export function createMapper(init: { scale: number }) {
 *   return (item: { key: string; data: Float32Array }) => ({
 *     key: item.key,
 *     data: item.data.map((x) => x * init.scale),
 *   });
 * }
 * ```
 *
 * Items and results cross threads by structured clone; their ArrayBuffers are
 * transferred (see the `transfer` option), so the sender must not use them
 * afterwards. An item whose mapper throws, a worker that dies (uncaught error, `close()`),
 * a module that fails to load, or an item past `timeoutMs` errors the stream with a
 * message naming the item; it never hangs. Output order is input order, so a
 * deterministic mapper gives the same stream whatever the number of workers.
 *
 * @param module URL (or path URL string) of the worker module.
 * @param options Workers, items in flight, `init`, transfers, timeout, and telemetry.
 * @returns A stage whose output is the mapped items, in input order.
 *
 * @example Scaling arrays on two workers, in input order
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, parallelMap } from "@simclr/streams/streams";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(
 *   `${dir}/my_mapper.ts`,
 *   `export function createMapper(init: { scale: number }) {
 *      return (item: { key: string; data: Float32Array }) => ({
 *        key: item.key,
 *        data: item.data.map((x) => x * init.scale),
 *      });
 *    }`,
 * );
 * const items = Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, data: Float32Array.of(i, 1) }));
 * const out = await collect(
 *   fromIterable(items).pipeThrough(
 *     parallelMap<typeof items[0], { key: string; data: Float32Array }>(
 *       new URL(`file://${dir}/my_mapper.ts`),
 *       { workers: 2, inFlight: 4, init: { scale: 2 } },
 *     ),
 *   ),
 * );
 * assert.deepEqual(out.map((r) => r.key), ["k0", "k1", "k2", "k3", "k4", "k5"]);
 * assert.deepEqual([...out[3].data], [6, 2]);
 * assert.equal(items[3].data.byteLength, 0); // its buffer was transferred to the worker
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function parallelMap<I, O>(
  module: string | URL,
  options: ParallelMapOptions<I> = {},
): StreamPair<I, O> {
  const stats = stageStats("parallelMap", options);
  const label = `parallelMap "${stats.name}"`;
  const moduleUrl = String(module);
  const workerCount = Math.max(
    1,
    Math.floor(options.workers ?? navigator.hardwareConcurrency ?? 1),
  );
  const inFlight = Math.max(1, Math.floor(options.inFlight ?? 2 * workerCount));
  const describe = options.describe ?? defaultDescribe;
  const exportName = options.exportName ?? "createMapper";
  const timeoutMs = options.timeoutMs ?? 0;

  const entry = new TransformStream<I, I>(undefined, { highWaterMark: 1 }, { highWaterMark: 0 });
  const reader = entry.readable.getReader();

  const names = new Map<number, string>(); // id -> item description, while in flight
  const results = new Map<number, O>();
  const signal = new Signal();
  let pool: PoolWorker[] | undefined;
  let nextId = 0; // next id to dispatch
  let nextOut = 0; // next id to hand downstream
  let upstreamDone = false;
  let failure: Error | undefined;
  let pumping: Promise<void> | undefined;
  let blockedSince: number | undefined; // pump waiting for room
  let lastPullEnd: number | undefined;

  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    shutdown();
    reader.cancel(error).catch(() => {});
    signal.notify();
  };

  const shutdown = () => {
    for (const w of pool ?? []) {
      clearTimeout(w.timer);
      w.worker.terminate();
    }
    pool = [];
    stats.end();
  };

  const armTimer = (w: PoolWorker) => {
    clearTimeout(w.timer);
    w.timer = undefined;
    if (timeoutMs > 0 && w.queue.length > 0) {
      const id = w.queue[0];
      w.timer = setTimeout(() => {
        fail(
          new Error(
            `${label}: item ${names.get(id)} took more than ${timeoutMs} ms on worker ${w.id}; ` +
              `raise timeoutMs or look for a hang in ${moduleUrl}`,
          ),
        );
      }, timeoutMs);
    }
  };

  const onReply = (w: PoolWorker, msg: HostReply) => {
    if (failure) return;
    switch (msg.type) {
      case "ready":
        return;
      case "init-error":
        return fail(
          withStack(
            new Error(`${label}: worker module ${moduleUrl} failed to start: ${msg.message}`),
            msg.stack,
          ),
        );
      case "closed":
        return fail(new Error(`${label}: worker ${w.id} closed itself${whileMapping(w)}`));
      case "error":
        return fail(
          withStack(
            new Error(
              `${label}: item ${names.get(msg.id)} failed on worker ${w.id}: ${msg.message}`,
            ),
            msg.stack,
          ),
        );
      case "result": {
        const i = w.queue.indexOf(msg.id);
        if (i >= 0) w.queue.splice(i, 1);
        armTimer(w);
        names.delete(msg.id);
        results.set(msg.id, msg.value as O);
        signal.notify();
        return;
      }
    }
  };

  const whileMapping = (w: PoolWorker) =>
    w.queue.length > 0 ? ` while mapping item ${names.get(w.queue[0])}` : "";

  const startPool = () => {
    pool = [];
    for (let id = 0; id < workerCount; id++) {
      const worker = new Worker(new URL("./_worker_host.ts", import.meta.url), { type: "module" });
      const w: PoolWorker = { id, worker, queue: [], timer: undefined };
      worker.onmessage = (e: MessageEvent<HostReply>) => onReply(w, e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        fail(new Error(`${label}: worker ${w.id} died${whileMapping(w)}: ${e.message}`));
      };
      worker.onmessageerror = () => {
        fail(
          new Error(`${label}: a message from worker ${w.id} could not be read${whileMapping(w)}`),
        );
      };
      const msg: HostRequest = { type: "init", module: moduleUrl, exportName, init: options.init };
      try {
        worker.postMessage(msg);
      } catch (error) {
        fail(new TypeError(`${label}: init cannot be sent to workers (not cloneable): ${error}`));
      }
      pool.push(w);
    }
  };

  const dispatch = (item: I) => {
    const id = nextId++;
    names.set(id, describe(item, id));
    let w = pool![0];
    for (const c of pool!) if (c.queue.length < w.queue.length) w = c;
    const transfer = options.transfer === "none"
      ? []
      : typeof options.transfer === "function"
      ? options.transfer(item)
      : transferables(item);
    const msg: HostRequest = { type: "item", id, item };
    try {
      w.worker.postMessage(msg, transfer);
    } catch (error) {
      return fail(
        new TypeError(`${label}: item ${names.get(id)} cannot be sent to a worker: ${error}`),
      );
    }
    w.queue.push(id);
    if (w.queue.length === 1) armTimer(w);
  };

  const pump = async () => {
    try {
      while (!failure && !upstreamDone) {
        if (nextId - nextOut >= inFlight) {
          blockedSince = performance.now();
          await signal.wait();
          blockedSince = undefined;
          continue;
        }
        const r = await stats.starve(() => reader.read());
        if (failure) return;
        if (r.done) {
          upstreamDone = true;
          signal.notify();
          return;
        }
        stats.itemsIn++;
        dispatch(r.value);
      }
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const readable = new ReadableStream<O>({
    async pull(controller) {
      stats.start();
      const t = performance.now();
      if (blockedSince !== undefined) {
        stats.backpressuredMs += t - Math.max(blockedSince, lastPullEnd ?? blockedSince);
      }
      if (!pool) startPool();
      pumping ??= pump();
      for (;;) {
        if (failure) throw failure;
        if (results.has(nextOut)) {
          const value = results.get(nextOut)!;
          results.delete(nextOut);
          nextOut++;
          stats.itemsOut++;
          controller.enqueue(value);
          signal.notify(); // room for the pump
          lastPullEnd = performance.now();
          return;
        }
        if (upstreamDone && nextOut === nextId) {
          shutdown();
          controller.close();
          return;
        }
        await signal.wait();
      }
    },
    cancel(reason) {
      failure ??= new Error(`${label}: cancelled`);
      shutdown();
      signal.notify();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });

  return { writable: entry.writable, readable };
}

function defaultDescribe(item: unknown, seq: number): string {
  const key = item !== null && typeof item === "object" && "key" in item
    ? (item as { key: unknown }).key
    : undefined;
  return typeof key === "string" ? `"${key}" (#${seq})` : `#${seq}`;
}

function withStack(error: Error, stack: string | undefined): Error {
  if (stack) error.cause = { workerStack: stack };
  return error;
}
