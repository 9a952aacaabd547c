/** Messages between `parallelMap` and its workers (`worker_host.ts`). */

/** Pool to worker. */
export type HostRequest =
  | { type: "init"; module: string; exportName: string; init: unknown }
  | { type: "item"; id: number; item: unknown };

/** Worker to pool. */
export type HostReply =
  | { type: "ready" }
  | { type: "init-error"; message: string; stack?: string }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; stack?: string }
  | { type: "closed" };
