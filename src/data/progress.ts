/** The download progress callback. */

/**
 * Called as bytes arrive: bytes so far, and the total when the server said it.
 *
 * @example Progress of a dataset's download (here from a local server)
 * ```ts
 * import type { ProgressFn } from "@simclr/streams/data";
 * import { openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const body = new Uint8Array(1000);
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response(body));
 * registerDataset({
 *   name: "zeros", description: "1000 zero bytes", required: ["zeros.bin"],
 *   downloads: [{ name: "zeros.bin", url: `http://localhost:${server.addr.port}/zeros.bin` }],
 *   open: (dir) => Promise.resolve({ name: dir, length: 1, get: () => Promise.reject(new Error("unused")) }),
 * });
 * const calls: [string, number, number | undefined][] = [];
 * const onProgress = (file: string): ProgressFn => (got, total) => calls.push([file, got, total]);
 * const cacheDir = await Deno.makeTempDir();
 * await openDataset("zeros", { cacheDir, onProgress });
 * assert.deepEqual(calls.at(-1), ["zeros.bin", 1000, 1000]);
 * await server.shutdown();
 * await Deno.remove(cacheDir, { recursive: true });
 * ```
 */
export type ProgressFn = (received: number, total: number | undefined) => void;
