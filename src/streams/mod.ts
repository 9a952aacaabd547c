/**
 * Generic streaming stages, with no images and no tensors in them: sources
 * ({@link epochOrder}, {@link fromIterable}, {@link fromPull}), stages ({@link map},
 * {@link filter}, {@link parallelMap} over a pool of module workers with ordered output,
 * {@link batch}, {@link prefetch}, {@link shuffleBuffer}, {@link take}), {@link pullStage} to
 * write one's own, {@link Telemetry} to see which stage is the bottleneck, the seeded generators
 * ({@link Rng}, and {@link rngFor} for per-sample augmentation) and {@link writeFileAtomic}.
 *
 * Every stage is a `{ writable, readable }` pair for `ReadableStream.pipeThrough`, pull-driven
 * so that a slow consumer bounds what is alive in the pipeline to the configured queues. The
 * training path (`pretrain` in `@simclr/streams/pipeline`) reads an {@link epochOrder} (this
 * rank's part of each epoch's permutation, resumable mid-epoch), decodes and augments through
 * {@link parallelMap}, then {@link batch}es and {@link prefetch}es, all under one
 * {@link Telemetry}.
 *
 * @example An epoch order mapped, batched and prefetched
 * ```ts
 * import assert from "node:assert/strict";
 * import { batch, collect, epochOrder, map, prefetch, Telemetry } from "@simclr/streams/streams";
 *
 * const telemetry = new Telemetry();
 * const batches = await collect(
 *   epochOrder({ length: 10, seed: 42, epochs: 1, telemetry })
 *     .pipeThrough(map(({ index }) => index * 2, { telemetry }))
 *     .pipeThrough(batch(4, { dropLast: true, telemetry }))
 *     .pipeThrough(prefetch(2, { telemetry })),
 * );
 * assert.equal(batches.length, 2); // 10 items: two batches of 4, the last 2 dropped
 * const seen = batches.flat().map((x) => x / 2);
 * assert.equal(new Set(seen).size, 8); // a permutation: no index twice
 * assert.deepEqual(telemetry.snapshot().map((s) => s.name), ["epochs", "map", "batch", "prefetch"]);
 * ```
 * @module
 */

export { FileWriteError, writeFileAtomic } from "./atomic_write.ts";
export { batch, type BatchOptions } from "./batch.ts";
export {
  epochOrder,
  type EpochOrderOptions,
  type EpochPosition,
  type RankSplit,
} from "./epochs.ts";
export { filter, map } from "./map.ts";
export { parallelMap, type ParallelMapOptions } from "./parallel_map.ts";
export { prefetch } from "./prefetch.ts";
export { AugmentRng, Rng, rngFor, type RngState } from "./rng.ts";
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
export { type StageSnapshot, StageStats, Telemetry } from "./telemetry.ts";
