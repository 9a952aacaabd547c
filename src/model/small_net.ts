/**
 * The small benchmark net of the design: 3x3 stem (32 channels), three stages of two 3x3
 * convs (widths 32, 64, 128; the first conv of a stage has stride 1, 2, 2), each conv followed
 * by BN + ReLU, then global average pooling. (No residual connections: it measures the
 * per-step machinery, not accuracy.)
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import { Conv2d } from "./conv.ts";
import type { Encoder } from "./encoder.ts";
import type { ForwardContext } from "./forward_context.ts";
import { globalAveragePool } from "./global_pool.ts";
import { ParamStore } from "./params.ts";

/**
 * Options of {@link smallNet}: input channels, widths and strides of the stem and stages, seed,
 * store and name prefix.
 *
 * @example Two stages, the second halving the resolution
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { smallNet, type SmallNetOptions } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const options: SmallNetOptions = { inChannels: 1, stemWidth: 4, widths: [4, 6], strides: [1, 2] };
 * const encoder = smallNet(options);
 * assert.equal(encoder.featureDim, 6);
 * encoder.store.dispose();
 * ```
 */
export interface SmallNetOptions {
  /** Input channels (default 3). */
  inChannels?: number;
  /** Stem width (default 32). */
  stemWidth?: number;
  /** Stage widths (default [32, 64, 128]). */
  widths?: number[];
  /** Stage strides (default [1, 2, 2]). */
  strides?: number[];
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Store to create the parameters in (default: a new one with `seed`). */
  store?: ParamStore;
  /** Prefix of the parameter names (default `encoder.`). */
  prefix?: string;
}

/**
 * The small encoder (the benchmark net of the design; `model.encoder: small`): a stem and stages
 * of two 3x3 convs with BN + ReLU, then global average pooling. Build it with {@link smallNet}.
 *
 * @example Features of a small batch
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { SmallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = new SmallNet({ stemWidth: 4, widths: [4, 8] });
 * const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
 * const h = encoder.apply(x, { training: false });
 * assert.deepEqual(h.shape, [2, 8]);
 * tf.dispose([x, h]);
 * encoder.store.dispose();
 * ```
 */
export class SmallNet implements Encoder {
  /** Always `small`. */
  readonly name = "small";
  /** Length of the feature vector `h` (the last stage's width). */
  readonly featureDim: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Where the parameters live. */
  readonly store: ParamStore;
  /** The prefix of this encoder's parameter names (default `encoder.`). */
  readonly prefix: string;
  /** Conv + BN pairs: the stem, then two per stage. */
  readonly layers: { conv: Conv2d; bn: BatchNorm }[] = [];

  /** Creates the encoder's parameters (see {@link smallNet}). */
  constructor(opts: SmallNetOptions = {}) {
    this.inChannels = opts.inChannels ?? 3;
    this.store = opts.store ?? new ParamStore(opts.seed ?? 0);
    this.prefix = opts.prefix ?? "encoder.";
    const widths = opts.widths ?? [32, 64, 128];
    const strides = opts.strides ?? [1, 2, 2];
    const p = this.prefix;
    let inC = this.inChannels;
    const add = (name: string, outC: number, stride: number) => {
      const inputGradient = this.layers.length > 0; // the stem's input is the images
      const conv = new Conv2d(this.store, `${p}${name}.conv`, inC, outC, {
        kernel: 3,
        stride,
        inputGradient,
      });
      const bn = new BatchNorm(this.store, `${p}${name}.bn`, outC);
      this.layers.push({ conv, bn });
      inC = outC;
    };
    add("stem", opts.stemWidth ?? 32, 1);
    widths.forEach((w, i) => {
      add(`stage${i + 1}.0`, w, strides[i] ?? 1);
      add(`stage${i + 1}.1`, w, 1);
    });
    this.featureDim = inC;
  }

  /** Features `[N, featureDim]` of an NHWC batch. */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let y = x;
    for (const { conv, bn } of this.layers) {
      const input = y;
      // One tidy per layer: the conv output is freed at once (gradients use saved tensors).
      y = tf.tidy(() => bn.apply(conv.apply(input, ctx), ctx, true) as tf.Tensor4D);
      if (input !== x) input.dispose();
    }
    return globalAveragePool(y);
  }
}

/**
 * Creates the small benchmark net.
 *
 * @param opts Channels, widths, strides, seed, store and name prefix.
 * @returns The encoder; its parameters are in `opts.store` (or a new store).
 *
 * @example The default widths end in 128 features
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = smallNet();
 * assert.equal(encoder.featureDim, 128);
 * assert.equal(encoder.name, "small");
 * encoder.store.dispose();
 * ```
 */
export function smallNet(opts: SmallNetOptions = {}): SmallNet {
  return new SmallNet(opts);
}
