/** What every encoder offers: features `h` of an NHWC batch, and its parameters. */
import type * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "./forward_context.ts";
import type { ParamStore } from "./params.ts";

/** An image encoder (ResNet or the benchmark net). */
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
