/**
 * Tar shards (WebDataset layout) as an epoch stream: shard lists with brace patterns,
 * local paths or http(s) URLs read as streams, split among ranks by shard.
 */
import { hashKeys } from "../streams/_hash.ts";
import { fromPull, type StageOptions } from "../streams/stage.ts";
import { shuffleBuffer } from "../streams/shuffle_buffer.ts";
import { DataError, type OnError, SkipLog, type SkipTracker } from "./errors.ts";
import type { IndexedSample } from "./indexed.ts";
import type { EncodedSample } from "./sample.ts";
import { tarMembers } from "./_tar.ts";
import { groupMembers, groupToSample, type MemberGroup } from "./_webdataset.ts";
import { openShard, SHARD_INDEX_STRIDE, shardsForEpoch } from "./_shards.ts";

/**
 * Expands WebDataset brace ranges: `data-{000..003}.tar` gives 4 names (zero padding
 * kept); several ranges multiply. A list of several patterns can be given comma-free as
 * an array instead.
 *
 * @throws {RangeError} For a range whose end is below its start (`{5..3}`).
 *
 * @example One range, and two that multiply
 * ```ts
 * import { expandShards } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(expandShards("s3/shard-{00..02}.tar"), ["s3/shard-00.tar", "s3/shard-01.tar", "s3/shard-02.tar"]);
 * assert.deepEqual(expandShards("{a..b}.tar"), ["{a..b}.tar"]); // not a numeric range: kept as it is
 * assert.equal(expandShards("d{0..1}/s{0..2}.tar").length, 6);
 * assert.throws(() => expandShards("s-{5..3}.tar"), RangeError);
 * ```
 */
export function expandShards(pattern: string): string[] {
  const m = pattern.match(/\{(\d+)\.\.(\d+)\}/);
  if (!m) return [pattern];
  const [all, a, b] = m;
  const lo = Number(a), hi = Number(b);
  if (hi < lo) throw new RangeError(`shard pattern ${pattern}: range ${all} is empty`);
  const width = a.length;
  const out: string[] = [];
  for (let i = lo; i <= hi; i++) {
    const name = pattern.replace(all, String(i).padStart(width, "0"));
    out.push(...expandShards(name));
  }
  return out;
}

/**
 * Options of {@link tarSamples}.
 *
 * @example Four ranks need at least four shards
 * ```ts
 * import type { TarSamplesOptions } from "@simclr/streams/data";
 * import { tarSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const options: TarSamplesOptions = { shards: "train-{000..002}.tar", seed: 1, epochs: 5, rank: 0, worldSize: 4 };
 * assert.throws(() => tarSamples(options), /3 shard\(s\) cannot be split among 4 ranks/);
 * ```
 */
export interface TarSamplesOptions extends StageOptions {
  /** Shard paths or URLs; brace patterns are expanded. */
  shards: string | readonly string[];
  /** Run seed: shard order and shuffle buffer of each epoch come from `(seed, epoch)` (default 0). */
  seed?: number;
  /** Shuffle the shard order each epoch (default true). */
  shuffleShards?: boolean;
  /**
   * Samples of an epoch mixed across its shards through a buffer of this size (default 0: none),
   * a fresh one each epoch seeded by `(seed, epoch, rank)` and drained at the epoch's end, so an
   * epoch's order depends only on the seed, the epoch and the shards.
   */
  shuffleBuffer?: number;
  /** This rank's samples of an epoch: the rest of the epoch is not read (default: all). */
  samplesPerEpoch?: number;
  /** Epochs to run from `startEpoch` (default 1). */
  epochs?: number;
  /** First epoch (default 0). */
  startEpoch?: number;
  /**
   * Samples of this rank's part of `startEpoch` to skip (resume point): they are read again
   * (through the shuffle buffer, which makes the same order), not passed on.
   */
  startPosition?: number;
  /** This rank and the number of ranks: rank r reads epoch shards r, r+R, ... */
  rank?: number;
  /** Number of ranks (default 1). */
  worldSize?: number;
  /** Bad samples and broken shards: fail (default) or skip and count. */
  onError?: OnError;
  /** Where skips are counted and reported (default: a log of its own warning on the console). */
  skips?: SkipLog;
  /** Image extensions to look for in a sample (default png, jpg, jpeg, gif, tif, tiff). */
  imageExtensions?: readonly string[];
  /** Largest tar member read (default 1 GiB); a larger one errors its shard (see tarMembers). */
  maxFileBytes?: number;
}

/**
 * Streams encoded samples from tar shards, epoch after epoch, each epoch on its own: this rank's
 * shards of the epoch (order from `(seed, epoch)`) read one after another, mixed through a
 * shuffle buffer that starts empty and is drained before the next epoch begins, up to
 * `samplesPerEpoch`. So epochs never mix and an epoch's order is a function of the seed, the epoch
 * and the data: a resume re-reads its epoch up to `startPosition` and continues exactly. Each
 * sample carries `epoch`, a global `index` (`shardIndex * SHARD_INDEX_STRIDE + ordinal in the
 * shard`, the same whatever the rank split) and `position` (its place in this rank's epoch,
 * after the shuffle).
 *
 * @throws {DataError} For an empty shard list.
 * @throws {RangeError} For fewer shards than ranks.
 *
 * @example Two WebDataset shards built in memory (`key.png` + `key.cls` per sample)
 * ```ts
 * import { tarSamples } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * // A tar archive: per member a 512-byte header (name, octal size, type "0", checksum), the
 * // data padded to 512 bytes; two zero blocks at the end.
 * const tar = (members: [string, Uint8Array][]) => {
 *   const enc = new TextEncoder();
 *   const parts: Uint8Array[] = [];
 *   for (const [name, data] of members) {
 *     const h = new Uint8Array(512);
 *     h.set(enc.encode(name));
 *     h.set(enc.encode(data.length.toString(8).padStart(11, "0")), 124);
 *     h[156] = 0x30;
 *     h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
 *     h.set(enc.encode(h.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0"), 148);
 *     parts.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
 *   }
 *   return Uint8Array.from([...parts.flatMap((p) => [...p]), ...new Uint8Array(1024)]);
 * };
 * const dir = await Deno.makeTempDir();
 * for (const s of [0, 1]) {
 *   const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, s); // stays encoded: tarSamples does not decode
 *   await Deno.writeFile(`${dir}/train-${s}.tar`, tar([[`k${s}.png`, png], [`k${s}.cls`, new TextEncoder().encode(String(s + 3))]]));
 * }
 * const samples = await Array.fromAsync(tarSamples({ shards: `${dir}/train-{0..1}.tar`, seed: 42, epochs: 2, shuffleBuffer: 4 }));
 * assert.equal(samples.length, 4);
 * assert.deepEqual(samples.map((s) => s.epoch), [0, 0, 1, 1]);
 * const k1 = samples.find((s) => s.key === `${dir}/train-1.tar:k1`)!;
 * assert.deepEqual([k1.label, k1.index, k1.bytes[4]], [4, 1_000_000, 1]); // index: shard 1, member 0
 * await Deno.remove(dir, { recursive: true });
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
  const cap = options.samplesPerEpoch ?? Infinity;
  const buffer = options.shuffleBuffer ?? 0;
  shardsForEpoch(list, startEpoch, options); // validates the split now
  const tracker = (options.skips ?? new SkipLog()).tracker();
  let epoch = startEpoch;
  let current: ReadableStreamDefaultReader<IndexedSample<EncodedSample>> | undefined;
  let position = 0;
  let toSkip = options.startPosition ?? 0;

  const next = async (): Promise<IndexedSample<EncodedSample> | undefined> => {
    for (;;) {
      if (current && position >= cap) {
        await current.cancel("the epoch's samples are read");
        current = undefined;
        epoch++;
      }
      if (!current) {
        if (epoch >= endEpoch) {
          tracker.done();
          return undefined;
        }
        tracker.at(epoch);
        let samples = epochSamples(list, epoch, options, tracker);
        if (buffer > 0) {
          const seed = hashKeys(options.seed ?? 0, epoch, options.rank ?? 0);
          samples = samples.pipeThrough(shuffleBuffer(buffer, seed, { name: "shuffle" }));
        }
        current = samples.getReader();
        position = 0;
        continue;
      }
      const r = await current.read();
      if (r.done) {
        current = undefined;
        epoch++;
        continue;
      }
      if (toSkip > 0) {
        toSkip--;
        position++;
        continue;
      }
      return { ...r.value, position: position++ };
    }
  };
  return fromPull(next, {
    name: options.name ?? "tar",
    telemetry: options.telemetry,
    onCancel: async (reason) => {
      tracker.done();
      await current?.cancel(reason);
    },
  });
}

/**
 * One epoch of this rank's shards, read one after another, in shard order; `position` is the
 * reading order. Under "skip" a bad sample or broken shard is counted in `tracker` and left out.
 */
function epochSamples(
  list: readonly string[],
  epoch: number,
  options: TarSamplesOptions,
  tracker: SkipTracker,
): ReadableStream<IndexedSample<EncodedSample>> {
  const onError = options.onError ?? "fail";
  const queue = shardsForEpoch(list, epoch, options);
  let groups: ReadableStreamDefaultReader<MemberGroup> | undefined;
  let current: { shard: string; shardIndex: number; ordinal: number } | undefined;
  let read = 0;
  /** Under "fail" rethrows; under "skip" counts the failure. */
  const failure = (error: unknown, note = ""): void => {
    if (onError === "fail") throw error;
    const message = error instanceof Error ? error.message : String(error);
    tracker.record(`${message}${note}`, epoch);
  };

  const next = async (): Promise<IndexedSample<EncodedSample> | undefined> => {
    for (;;) {
      if (!groups) {
        const s = queue.shift();
        if (!s) return undefined;
        try {
          const members = tarMembers(await openShard(s.shard), s.shard, {
            maxFileBytes: options.maxFileBytes,
          });
          groups = groupMembers(members).getReader();
          current = { ...s, ordinal: 0 };
        } catch (error) {
          failure(error);
        }
        continue;
      }
      let r: ReadableStreamReadResult<MemberGroup>;
      try {
        r = await groups.read();
      } catch (error) {
        groups = undefined;
        failure(error, " (rest of the shard skipped)");
        continue;
      }
      if (r.done) {
        groups = undefined;
        continue;
      }
      const c = current!;
      const index = c.shardIndex * SHARD_INDEX_STRIDE + c.ordinal++;
      try {
        const sample = groupToSample(r.value, c.shard, options.imageExtensions);
        return { ...sample, epoch, index, position: read++ };
      } catch (error) {
        failure(error);
      }
    }
  };
  return fromPull(next, {
    name: "shards",
    onCancel: async () => {
      await groups?.cancel();
    },
  });
}
