/** A text progress bar for downloads, on stderr. */

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

/**
 * Returns a progress callback that draws `label [#####.....]  45%  12.0/26.4 MB` on one
 * line of stderr (redrawn at most every 100 ms on a terminal, every 2 s otherwise) and ends
 * the line when the total is reached.
 */
export function progressBar(
  label: string,
  out: { writeSync(p: Uint8Array): number; isTerminal(): boolean } = Deno.stderr,
): ProgressFn {
  const tty = out.isTerminal();
  const every = tty ? 100 : 2000;
  let last = -Infinity;
  let finished = false;
  const enc = new TextEncoder();
  return (received, total) => {
    if (finished) return;
    const now = performance.now();
    const done = total !== undefined && received >= total;
    if (!done && now - last < every) return;
    last = now;
    const line = formatProgress(label, received, total);
    out.writeSync(enc.encode(tty ? `\r${line}\x1b[K${done ? "\n" : ""}` : `${line}\n`));
    if (done) finished = true;
  };
}

/**
 * The text of one progress line.
 */
export function formatProgress(label: string, received: number, total: number | undefined): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  if (!total) return `${label} ${mb(received)} MB`;
  const frac = Math.min(1, received / total);
  const width = 20;
  const full = Math.round(frac * width);
  return `${label} [${"#".repeat(full)}${".".repeat(width - full)}] ${
    String(Math.floor(frac * 100)).padStart(3)
  }%  ${mb(received)}/${mb(total)} MB`;
}
