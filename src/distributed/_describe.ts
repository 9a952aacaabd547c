/** How failure messages name ranks and errors (private to the package). */

/**
 * How messages name a rank: `rank 1`, or `rank 1 (host node7)` when its host is known
 * (e.g. `rankLabel(1, "node7")` is `"rank 1 (host node7)"`).
 */
export function rankLabel(rank: number, host?: string): string {
  return host ? `rank ${rank} (host ${host})` : `rank ${rank}`;
}

/** Text of an error or thrown value, for failure messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
