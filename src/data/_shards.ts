/**
 * The shard plumbing of `tarSamples`: which shards a rank reads in an epoch, the stride of the
 * global sample index, and opening a shard (local path or http(s) URL) as a byte stream.
 */
import { hashKeys } from "../streams/_hash.ts";
import { Rng } from "../streams/rng.ts";
import { DataError } from "./errors.ts";

/**
 * Sample indices of shard `s` are `s * SHARD_INDEX_STRIDE + (ordinal in shard)`.
 */
export const SHARD_INDEX_STRIDE = 1_000_000;

/**
 * The shards rank `rank` reads in `epoch`, with their index in the full list.
 */
export function shardsForEpoch(
  shards: readonly string[],
  epoch: number,
  options: { seed?: number; shuffleShards?: boolean; rank?: number; worldSize?: number } = {},
): { shard: string; shardIndex: number }[] {
  const rank = options.rank ?? 0, worldSize = options.worldSize ?? 1;
  if (shards.length < worldSize) {
    throw new RangeError(
      `${shards.length} shard(s) cannot be split among ${worldSize} ranks: ` +
        `split the data into at least as many shards as ranks`,
    );
  }
  const order = shards.map((_, i) => i);
  if (options.shuffleShards ?? true) {
    new Rng(hashKeys(options.seed ?? 0, epoch, 0x5348)).shuffle(order);
  }
  const mine = order.filter((_, p) => p % worldSize === rank);
  return mine.map((i) => ({ shard: shards[i], shardIndex: i }));
}

/**
 * Opens a shard as a byte stream: an http(s) URL through `fetch` (streamed, never held
 * whole), or a local path. Errors name the shard.
 */
export async function openShard(shard: string): Promise<ReadableStream<Uint8Array>> {
  if (/^https?:\/\//i.test(shard)) {
    let res: Response;
    try {
      res = await fetch(shard);
    } catch (error) {
      throw new DataError(
        shard,
        `cannot fetch: ${(error as Error).message}`,
        "check the URL and the network",
      );
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DataError(
        shard,
        `HTTP ${res.status} ${res.statusText}`.trim(),
        "check the shard URL",
      );
    }
    return res.body;
  }
  try {
    const file = await Deno.open(shard.replace(/^file:\/\//, ""), { read: true });
    return file.readable;
  } catch (error) {
    throw new DataError(
      shard,
      error instanceof Deno.errors.NotFound
        ? "no such shard file"
        : `cannot open: ${(error as Error).message}`,
    );
  }
}
