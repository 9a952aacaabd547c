/** Messages between `parallelMap` and its workers (`worker_host.ts`). */

/**
 * Pool to worker.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: "item", id: 0, item } satisfies HostRequest);
 * ```
 */
export type HostRequest =
  | { type: "init"; module: string; exportName: string; init: unknown }
  | { type: "item"; id: number; item: unknown };

/**
 * Worker to pool.
 *
 * @example
 * ```ts
 * self.postMessage({ type: "result", id: 0, value } satisfies HostReply);
 * ```
 */
export type HostReply =
  | { type: "ready" }
  | { type: "init-error"; message: string; stack?: string }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; stack?: string }
  | { type: "closed" };
