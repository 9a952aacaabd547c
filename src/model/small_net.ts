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

/** Options of {@link smallNet}. */
export interface SmallNetOptions {
  inChannels?: number;
  /** Stem width (default 32). */
  stemWidth?: number;
  /** Stage widths (default [32, 64, 128]). */
  widths?: number[];
  /** Stage strides (default [1, 2, 2]). */
  strides?: number[];
  seed?: number;
  store?: ParamStore;
  prefix?: string;
}

/** The small encoder (the benchmark net of the design; `model.encoder: small`). */
export class SmallNet implements Encoder {
  readonly name = "small";
  readonly featureDim: number;
  readonly inChannels: number;
  readonly store: ParamStore;
  readonly prefix: string;
  readonly layers: { conv: Conv2d; bn: BatchNorm }[] = [];

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

/** Creates the small net. */
export function smallNet(opts: SmallNetOptions = {}): SmallNet {
  return new SmallNet(opts);
}
