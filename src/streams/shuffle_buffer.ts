/** Approximate shuffling of a sequential stream through a bounded buffer. */
import { Rng } from "./rng.ts";
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Shuffles a stream through a buffer of `size` items: fills the buffer, then for each new
 * item emits a random buffered one and puts the new one in its place; at the end, drains
 * the buffer in random order. `size >= stream length` gives a full uniform shuffle; the
 * result depends only on the input order and `seed` (give each epoch its own, e.g.
 * `new Rng(seed, epoch).nextUint32()`).
 *
 * @param size Items buffered (a positive integer): the larger, the closer to a uniform shuffle.
 * @param seed The shuffle's seed (an integer).
 * @param options The stage's name and telemetry.
 * @returns A stage that passes the same items in another order.
 * @throws {RangeError} When `size` is not a positive integer.
 *
 * @example A seeded shuffle of a sequential stream, one seed per epoch
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, fromIterable, Rng, shuffleBuffer } from "@simclr/streams/streams";
 *
 * const items = Array.from({ length: 20 }, (_, i) => i);
 * const epoch0 = await collect(
 *   fromIterable(items).pipeThrough(shuffleBuffer(8, new Rng(42, 0).nextUint32())),
 * );
 * assert.deepEqual([...epoch0].sort((a, b) => a - b), items); // the same items
 * assert.notDeepEqual(epoch0, items); // in another order
 * const again = await collect(
 *   fromIterable(items).pipeThrough(shuffleBuffer(8, new Rng(42, 0).nextUint32())),
 * );
 * assert.deepEqual(again, epoch0); // same seed, same order
 * ```
 */
export function shuffleBuffer<T>(
  size: number,
  seed: number,
  options: StageOptions = {},
): StreamPair<T, T> {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`shuffleBuffer: size must be a positive integer, got ${size}`);
  }
  const rng = new Rng(seed);
  const buffer: T[] = [];
  let upstreamDone = false;
  return pullStage<T, T>("shuffle", options, 0, (up) => ({
    async pull(c) {
      while (!upstreamDone && buffer.length < size) {
        const r = await up.read();
        if (r.done) upstreamDone = true;
        else buffer.push(r.value);
      }
      if (buffer.length === 0) return c.close();
      const j = rng.int(buffer.length);
      const out = buffer[j];
      buffer[j] = buffer[buffer.length - 1];
      buffer.pop();
      c.enqueue(out);
    },
    cancel() {
      buffer.length = 0;
    },
  }));
}
