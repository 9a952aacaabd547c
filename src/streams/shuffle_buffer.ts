/** Approximate shuffling of a sequential stream through a bounded buffer. */
import { Rng } from "./rng.ts";
import { pullStage, type StageOptions, type StreamPair } from "./stage.ts";

/**
 * Shuffles a stream through a buffer of `size` items: fills the buffer, then for each new
 * item emits a random buffered one and puts the new one in its place; at the end, drains
 * the buffer in random order. `size >= stream length` gives a full uniform shuffle; the
 * result depends only on the input order and `seed` (use `hashKeys(seed, epoch)` per epoch).
 *
 * @example
 * ```ts
 * const mixed = tarSamples.pipeThrough(shuffleBuffer(1000, hashKeys(seed, epoch)));
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
