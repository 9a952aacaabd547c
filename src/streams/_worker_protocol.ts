/** Messages between `parallelMap` and its workers (`_worker_host.ts`). */

/**
 * Pool to worker.
 *
 * @example The two requests
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostRequest } from "./_worker_protocol.ts";
 *
 * const init: HostRequest = { type: "init", module: "file:///m.ts", exportName: "createMapper", init: {} };
 * const item: HostRequest = { type: "item", id: 0, item: { key: "a" } };
 * assert.deepEqual([init, item].map((m) => m.type), ["init", "item"]);
 * ```
 */
export type HostRequest =
  | { type: "init"; module: string; exportName: string; init: unknown }
  | { type: "item"; id: number; item: unknown };

/**
 * Worker to pool.
 *
 * @example A result and an error for an item
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostReply } from "./_worker_protocol.ts";
 *
 * const replies: HostReply[] = [
 *   { type: "result", id: 0, value: 42 },
 *   { type: "error", id: 1, message: "bad input" },
 * ];
 * assert.deepEqual(replies.map((r) => r.type), ["result", "error"]);
 * ```
 */
export type HostReply =
  | { type: "ready" }
  | { type: "init-error"; message: string; stack?: string }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; stack?: string }
  | { type: "closed" };
