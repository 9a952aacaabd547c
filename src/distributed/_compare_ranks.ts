/**
 * Hashes of settings and their comparison across ranks (private to the package; the public
 * check is `assertSameConfig` in `config_hash.ts`).
 */
import { sha256Hex, toHex } from "../streams/sha256.ts";
import type { Communicator } from "./communicator.ts";

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = stable(v);
    }
    return out;
  }
  return value;
}

/**
 * SHA-256 (hex) of a JSON value with object keys sorted, so key order does not matter.
 */
export async function configHash(config: unknown): Promise<string> {
  const text = JSON.stringify(stable(config)) ?? "undefined";
  return await sha256Hex(new TextEncoder().encode(text));
}

/**
 * Collective: all-gathers a hash from every rank and returns the ranks whose hash differs
 * from rank 0's (empty when all agree), with rank 0's hash. Any JSON value is hashed with
 * {@linkcode configHash}; a 64-digit hex string is taken as a hash already.
 */
export async function compareAcrossRanks(
  comm: Communicator,
  value: unknown,
): Promise<{ reference: string; differ: { rank: number; hash: string }[] }> {
  const hash = typeof value === "string" && /^[0-9a-f]{64}$/.test(value)
    ? value
    : await configHash(value);
  const mine = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mine[i] = parseInt(hash.slice(2 * i, 2 * i + 2), 16);
  const all = await comm.allGather(mine);
  const hex = (r: number) => toHex(all.subarray(32 * r, 32 * r + 32));
  const reference = hex(0);
  const differ: { rank: number; hash: string }[] = [];
  for (let r = 1; r < comm.size; r++) {
    if (hex(r) !== reference) differ.push({ rank: r, hash: hex(r) });
  }
  return { reference, differ };
}
