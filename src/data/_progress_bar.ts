/** A text progress bar for downloads, on stderr. */
import type { ProgressFn } from "./progress.ts";

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
