/** Shared test fixtures: a tiny model config and deterministic batches. */
import type { ModelConfig } from "../../src/model/simclr_model.ts";
import { Rng } from "../../src/streams/rng.ts";
import type { Batch } from "../../src/train/batch.ts";

export const TINY: ModelConfig = {
  encoder: "bench",
  benchWidths: { stem: 4, stages: [4, 8, 8] },
  head: { layers: 2, hiddenDim: 8, outDim: 16 },
  seed: 1,
};

/** Batch `step` of a synthetic stream: the same values for the same step, every time. */
export function tinyBatch(step: number, pairs = 4, side = 8): Batch {
  const views = new Float32Array(2 * pairs * side * side * 3);
  Rng.fromSeed(1234, `batch${step}`).fillNormal(views);
  // make the second view a noisy copy of the first, so the task is learnable
  const half = views.length / 2;
  for (let i = 0; i < half; i++) views[half + i] = views[i] + 0.3 * views[half + i];
  return {
    step,
    epoch: Math.floor(step / 10),
    size: pairs,
    height: side,
    width: side,
    channels: 3,
    views,
    keys: Array.from({ length: pairs }, (_, i) => `s${step}-${i}`),
    indices: Int32Array.from({ length: pairs }, (_, i) => step * pairs + i),
  };
}

/** A readable stream of batches `from` .. `to - 1`. */
export function batches(from: number, to: number, make = tinyBatch): ReadableStream<Batch> {
  let s = from;
  return new ReadableStream<Batch>({
    pull(c) {
      if (s >= to) c.close();
      else c.enqueue(make(s++));
    },
  }, { highWaterMark: 0 });
}
