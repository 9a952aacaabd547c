/** The check that every rank was started with the same settings. */
import type { Communicator } from "./communicator.ts";
import { compareAcrossRanks } from "./_compare_ranks.ts";

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
