/**
 * Groups view pairs into training batches of exactly `size` pairs, never mixing epochs (an
 * epoch's incomplete last batch is dropped, as `drop_last` does), and packs each into one
 * `Float32Array` of 2N views: the N first views, then the N second views. With `perEpoch`, every
 * epoch gives exactly that many batches, numbered `epoch * perEpoch + j`: the pairs past them are
 * dropped too, and an epoch with too few pairs is an error.
 */
import type { ViewPair } from "../augment/view_pair.ts";
import type { Batch } from "../train/batch.ts";

/** Options of {@link packBatches}. */
export interface PackOptions {
  /** Pairs per batch. */
  size: number;
  /** `Batch.microStep` of the first batch (resume point). */
  firstMicroStep: number;
  /**
   * Batches of every epoch (the plan's micro-batches per epoch): an epoch's pairs after them are
   * dropped, and an epoch that ends (a pair of a later epoch, or the stream's end before
   * `endMicroStep`) with fewer errors the stream with {@link PackOptions.shortEpoch}'s error.
   * Default: as many as the epoch's pairs fill.
   */
  perEpoch?: number;
  /** With `perEpoch`: the micro-batch the stream must reach before it ends (default: any). */
  endMicroStep?: number;
  /** The error for an epoch with only `pairs` pairs (default: a RangeError saying so). */
  shortEpoch?: (epoch: number, pairs: number) => Error;
}

/** `TransformStream<ViewPair, Batch>`. */
export function packBatches(options: PackOptions): TransformStream<ViewPair, Batch> {
  const { size, perEpoch } = options;
  if (perEpoch !== undefined && !(Number.isInteger(perEpoch) && perEpoch >= 1)) {
    throw new RangeError(`packBatches: perEpoch must be a positive integer, got ${perEpoch}`);
  }
  let microStep = options.firstMicroStep;
  let group: ViewPair[] = [];
  const shortEpoch = (epoch: number) => {
    const pairs = (microStep - epoch * perEpoch!) * size + group.length;
    return options.shortEpoch?.(epoch, pairs) ??
      new RangeError(
        `epoch ${epoch}: ${pairs} pairs, fewer than the ${perEpoch! * size} of its ${perEpoch} ` +
          `batches of ${size}`,
      );
  };
  return new TransformStream<ViewPair, Batch>({
    transform(pair, controller) {
      if (perEpoch !== undefined) {
        const epoch = Math.floor(microStep / perEpoch); // the epoch the next batch belongs to
        if (pair.epoch < epoch) return; // past the epoch's batches
        if (pair.epoch > epoch) throw shortEpoch(epoch);
      } else if (group.length > 0 && group[0].epoch !== pair.epoch) group = [];
      group.push(pair);
      if (group.length === size) {
        controller.enqueue(pack(group, microStep++));
        group = [];
      }
    },
    flush() {
      if (perEpoch === undefined || options.endMicroStep === undefined) return;
      if (microStep < options.endMicroStep) throw shortEpoch(Math.floor(microStep / perEpoch));
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
  const last = pairs[n - 1].position;
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
    ...(last === undefined ? {} : { nextPosition: last + 1 }),
    readyAt: performance.now(),
  };
}
