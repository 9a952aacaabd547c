/**
 * Generic streaming stages (no images, no tensors): a worker-pool `parallelMap` with
 * ordered output, `batch`, `prefetch`, `shuffleBuffer`, `take`, `map`/`filter`, epoch
 * ordering split among ranks, the seeded RNGs (xoshiro128** for orders and weights, sfc32 for
 * augmentation), and stage telemetry.
 *
 * Every stage is a `{ writable, readable }` pair for `ReadableStream.pipeThrough`, pull-driven
 * so that a slow consumer bounds what is alive in the pipeline to the configured queues.
 *
 * @example
 * ```ts
 * import { batch, epochOrder, map, prefetch, Telemetry } from "./src/streams/mod.ts";
 * const telemetry = new Telemetry();
 * const batches = epochOrder({ length: 1000, seed: 42, epochs: 1 })
 *   .pipeThrough(map(({ index }) => index * 2, { telemetry }))
 *   .pipeThrough(batch(32, { dropLast: true, telemetry }))
 *   .pipeThrough(prefetch(2, { telemetry }));
 * for await (const b of batches) console.log(b.length, telemetry.summary());
 * ```
 * @module
 */

export { atomicTempPath, FileWriteError, writeFileAtomic } from "./atomic_write.ts";
export { batch, type BatchOptions } from "./batch.ts";
export {
  dataPosition,
  epochOrder,
  type EpochOrderOptions,
  epochPermutation,
  type EpochPosition,
  rankIndices,
  rankLength,
  type RankSplit,
} from "./epochs.ts";
export { JsonlAppender, truncateJsonl } from "./jsonl_file.ts";
export { filter, map } from "./map.ts";
export { parallelMap, type ParallelMapOptions } from "./parallel_map.ts";
export { prefetch } from "./prefetch.ts";
export {
  AugmentRng,
  fmix32,
  hashKeys,
  hashString,
  mix32,
  Rng,
  rngFor,
  type RngState,
} from "./rng.ts";
export { shuffleBuffer } from "./shuffle_buffer.ts";
export {
  collect,
  fromIterable,
  fromPull,
  pullStage,
  type StageBody,
  type StageOptions,
  type StreamPair,
  type Upstream,
} from "./stage.ts";
export { take } from "./take.ts";
export { formatSummary, type StageSnapshot, StageStats, Telemetry } from "./telemetry.ts";
export { transferables } from "./transfer.ts";
