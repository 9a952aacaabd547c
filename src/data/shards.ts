/**
 * Tar shards (WebDataset layout) as an epoch stream: shard lists with brace patterns,
 * local paths or http(s) URLs read as streams, split among ranks by shard.
 */
import { hashKeys, Rng } from "../streams/rng.ts";
import { fromPull, type StageOptions } from "../streams/stage.ts";
import { DataError, type OnError, SkipLog } from "./errors.ts";
import { type SampleFailure, skipFailures } from "./skip_failures.ts";
import type { IndexedSample } from "./indexed.ts";
import type { EncodedSample } from "./sample.ts";
import { tarMembers } from "./tar.ts";
import { groupMembers, groupToSample, type MemberGroup } from "./webdataset.ts";

/**
 * Sample indices of shard `s` are `s * SHARD_INDEX_STRIDE + (ordinal in shard)`.
 *
 * @example
 * ```ts
 * const shardIndex = Math.floor(sample.index / SHARD_INDEX_STRIDE);
 * ```
 */
export const SHARD_INDEX_STRIDE = 1_000_000;

/**
 * Expands WebDataset brace ranges: `data-{000..003}.tar` gives 4 names (zero padding
 * kept); several ranges multiply. A list of several patterns can be given comma-free as
 * an array instead.
 *
 * @example
 * ```ts
 * expandShards("s3/shard-{00..02}.tar"); // ["s3/shard-00.tar", "s3/shard-01.tar", "s3/shard-02.tar"]
 * ```
 */
export function expandShards(pattern: string): string[] {
  const m = pattern.match(/\{(\d+)\.\.(\d+)\}/);
  if (!m) return [pattern];
  const [all, a, b] = m;
  const lo = Number(a), hi = Number(b);
  if (hi < lo) throw new Error(`shard pattern ${pattern}: range ${all} is empty`);
  const width = a.length;
  const out: string[] = [];
  for (let i = lo; i <= hi; i++) {
    const name = pattern.replace(all, String(i).padStart(width, "0"));
    out.push(...expandShards(name));
  }
  return out;
}

/**
 * Opens a shard as a byte stream: an http(s) URL through `fetch` (streamed, never held
 * whole), or a local path. Errors name the shard.
 *
 * @example
 * ```ts
 * const bytes = await openShard("https://example.org/shards/train-0001.tar");
 * ```
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

/**
 * Options of {@link tarSamples}.
 *
 * @example
 * ```ts
 * tarSamples({ shards: "train-{000..099}.tar", seed: 1, epochs: 5, rank: 0, worldSize: 4 });
 * ```
 */
export interface TarSamplesOptions extends StageOptions {
  /** Shard paths or URLs; brace patterns are expanded. */
  shards: string | readonly string[];
  /** Run seed: shard order is shuffled per epoch from `(seed, epoch)` (default 0). */
  seed?: number;
  /** Shuffle the shard order each epoch (default true). */
  shuffleShards?: boolean;
  /** Epochs to run from `startEpoch` (default 1). */
  epochs?: number;
  startEpoch?: number;
  /** Samples of this rank's part of `startEpoch` to skip (resume point). */
  startPosition?: number;
  /** This rank and the number of ranks: rank r reads epoch shards r, r+R, ... */
  rank?: number;
  worldSize?: number;
  /** Bad samples and broken shards: fail (default) or skip and count. */
  onError?: OnError;
  skips?: SkipLog;
  /** Image extensions to look for in a sample (default png, jpg, jpeg, gif, tif, tiff). */
  imageExtensions?: readonly string[];
}

/**
 * The shards rank `rank` reads in `epoch`, with their index in the full list.
 *
 * @example
 * ```ts
 * shardsForEpoch(["a.tar", "b.tar", "c.tar", "d.tar"], 0, { seed: 1, rank: 1, worldSize: 2 });
 * ```
 */
export function shardsForEpoch(
  shards: readonly string[],
  epoch: number,
  options: { seed?: number; shuffleShards?: boolean; rank?: number; worldSize?: number } = {},
): { shard: string; shardIndex: number }[] {
  const rank = options.rank ?? 0, worldSize = options.worldSize ?? 1;
  if (shards.length < worldSize) {
    throw new Error(
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
 * Streams encoded samples from tar shards, epoch after epoch. Each sample carries `epoch`,
 * a global `index` (`shardIndex * SHARD_INDEX_STRIDE + ordinal in the shard`, the same
 * whatever the rank split) and `position` (count in this rank's epoch). Use a
 * `shuffleBuffer` after it to mix samples across shards.
 *
 * @example
 * ```ts
 * const samples = tarSamples({ shards: "https://host/train-{0000..0099}.tar", seed: 42,
 *   epochs: 10, rank: 2, worldSize: 8 }).pipeThrough(shuffleBuffer(2000, 42));
 * ```
 */
export function tarSamples(
  options: TarSamplesOptions,
): ReadableStream<IndexedSample<EncodedSample>> {
  const list = (typeof options.shards === "string" ? [options.shards] : options.shards).flatMap(
    expandShards,
  );
  if (list.length === 0) throw new DataError("tar shards", "the shard list is empty");
  const startEpoch = options.startEpoch ?? 0;
  const endEpoch = startEpoch + (options.epochs ?? 1);
  const onError = options.onError ?? "fail";
  shardsForEpoch(list, startEpoch, options); // validates the split now
  let epoch = startEpoch;
  let queue: { shard: string; shardIndex: number }[] | undefined;
  let groups: ReadableStreamDefaultReader<MemberGroup> | undefined;
  let current: { shard: string; shardIndex: number; ordinal: number } | undefined;
  let position = 0;
  let toSkip = options.startPosition ?? 0;
  /** Under "fail" rethrows; under "skip" the failure goes downstream to be counted. */
  const failure = (error: unknown, key: string, note = ""): SampleFailure => {
    if (onError === "fail") throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { failed: `${message}${note}`, key, epoch };
  };

  const next = async (): Promise<IndexedSample<EncodedSample> | SampleFailure | undefined> => {
    for (;;) {
      if (!groups) {
        if (epoch >= endEpoch) return undefined;
        queue ??= shardsForEpoch(list, epoch, options);
        const s = queue.shift();
        if (!s) {
          epoch++;
          queue = undefined;
          position = 0;
          continue;
        }
        try {
          groups = groupMembers(tarMembers(await openShard(s.shard), s.shard)).getReader();
          current = { ...s, ordinal: 0 };
        } catch (error) {
          return failure(error, s.shard);
        }
      }
      let r: ReadableStreamReadResult<MemberGroup>;
      try {
        r = await groups.read();
      } catch (error) {
        groups = undefined;
        return failure(error, current!.shard, " (rest of the shard skipped)");
      }
      if (r.done) {
        groups = undefined;
        continue;
      }
      const c = current!;
      const index = c.shardIndex * SHARD_INDEX_STRIDE + c.ordinal++;
      let sample: EncodedSample;
      try {
        sample = groupToSample(r.value, c.shard, options.imageExtensions);
      } catch (error) {
        return failure(error, `${c.shard}:${r.value.key}`);
      }
      if (toSkip > 0) {
        toSkip--;
        position++;
        continue;
      }
      return { ...sample, epoch, index, position: position++ };
    }
  };
  return fromPull(next, {
    name: options.name ?? "tar",
    telemetry: options.telemetry,
    onCancel: async () => {
      await groups?.cancel();
    },
  }).pipeThrough(skipFailures<IndexedSample<EncodedSample>>(options.skips ?? new SkipLog()));
}
