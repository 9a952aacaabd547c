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

/**
 * Collective: checks that every rank was started with the same settings by all-gathering a
 * hash of them. Throws on every rank, naming the ranks whose hash differs from rank 0's.
 * `config` is a hash from {@linkcode configHash} or any JSON value (hashed here).
 *
 * @returns rank 0's hash of the settings (the same on every rank).
 * @throws {Error} "bad launch: ..." on every rank when a rank's settings differ.
 *
 * @example Checking the launch before training
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSameConfig, SingleCommunicator } from "@simclr/streams/distributed";
 * const comm = new SingleCommunicator({ listenForStop: false });
 * const hash = await assertSameConfig(comm, { lr: 0.3, batch: 256 });
 * // key order does not matter
 * assert.equal(await assertSameConfig(comm, { batch: 256, lr: 0.3 }), hash);
 * assert.match(hash, /^[0-9a-f]{64}$/);
 * await comm.close();
 * ```
 */
export async function assertSameConfig(comm: Communicator, config: unknown): Promise<string> {
  const { reference, differ } = await compareAcrossRanks(comm, config);
  if (differ.length > 0) {
    const list = differ.map((d) => `rank ${d.rank} has ${d.hash.slice(0, 12)}`).join(", ");
    throw new Error(
      `bad launch: ranks were started with different settings (config hash of rank 0 is ` +
        `${reference.slice(0, 12)}, ${list}); start every rank with the same pipeline and ` +
        "overrides",
    );
  }
  return reference;
}
