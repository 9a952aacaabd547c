/**
 * Groups view pairs into training batches of exactly `size` pairs, never mixing epochs (an
 * epoch's incomplete last batch is dropped, as `drop_last` does), and packs each into one
 * `Float32Array` of 2N views: the N first views, then the N second views.
 */
import type { ViewPair } from "../augment/view_pair.ts";
import type { Batch } from "../train/batch.ts";

/** Options of {@link packBatches}. */
export interface PackOptions {
  /** Pairs per batch. */
  size: number;
  /** `Batch.microStep` of the first batch (resume point). */
  firstMicroStep: number;
}

/** `TransformStream<ViewPair, Batch>`. */
export function packBatches(options: PackOptions): TransformStream<ViewPair, Batch> {
  const { size } = options;
  let microStep = options.firstMicroStep;
  let group: ViewPair[] = [];
  return new TransformStream<ViewPair, Batch>({
    transform(pair, controller) {
      if (group.length > 0 && group[0].epoch !== pair.epoch) group = [];
      group.push(pair);
      if (group.length === size) {
        controller.enqueue(pack(group, microStep++));
        group = [];
      }
    },
  });
}

/** Packs `pairs` (all of one epoch, same size and channels) into a Batch. */
export function pack(pairs: ViewPair[], microStep: number): Batch {
  const n = pairs.length;
  const { size: side, channels } = pairs[0];
  const per = side * side * channels;
  const views = new Float32Array(2 * n * per);
  const labels = new Int32Array(n);
  const indices = new Int32Array(n);
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = pairs[i];
    if (p.view1.length !== per || p.view2.length !== per) {
      throw new RangeError(
        `sample '${p.key}': views of ${p.view1.length} values, expected ${per} ` +
          `(${side}x${side}x${channels}) like the rest of the batch`,
      );
    }
    views.set(p.view1, i * per);
    views.set(p.view2, (n + i) * per);
    labels[i] = p.label ?? -1;
    indices[i] = p.index;
    keys[i] = p.key;
  }
  return {
    microStep,
    epoch: pairs[0].epoch,
    size: n,
    height: side,
    width: side,
    channels,
    views,
    keys,
    labels,
    indices,
    readyAt: performance.now(),
  };
}
