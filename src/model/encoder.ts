/** What every encoder offers: features `h` of an NHWC batch, and its parameters. */
import type * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "./forward_context.ts";
import type { ParamStore } from "./params.ts";

/**
 * An image encoder (ResNet or the benchmark net): what the model, evaluation and export need
 * of one.
 *
 * @example Code that takes any encoder
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { type Encoder, smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * function features(encoder: Encoder, x: tf.Tensor4D): tf.Tensor2D {
 *   return encoder.apply(x, { training: false });
 * }
 * const encoder: Encoder = smallNet({ inChannels: 1, stemWidth: 2, widths: [3] });
 * const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
 * const h = features(encoder, x);
 * assert.deepEqual(h.shape, [1, encoder.featureDim]);
 * tf.dispose([x, h]);
 * encoder.store.dispose();
 * ```
 */
export interface Encoder {
  /** A short name, e.g. `resnet18` or `bench`. */
  readonly name: string;
  /** Length of the feature vector `h`. */
  readonly featureDim: number;
  /** Input channels (1 or 3). */
  readonly inChannels: number;
  /** Parameters, named as torchvision names them, under the store's prefix. */
  readonly store: ParamStore;
  /** The prefix of this encoder's names in the store (e.g. `encoder.`). */
  readonly prefix: string;
  /** Features `[N, featureDim]` after global average pooling. */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
}
