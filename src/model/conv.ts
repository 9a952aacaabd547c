/** A 2-D convolution without bias (as in ResNets), weight stored HWIO, torchvision padding. */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamStore } from "./params.ts";

/** Convolution options. */
export interface ConvOptions {
  kernel: number;
  stride?: number;
  /** Symmetric zero padding in pixels (torchvision's `padding`); default `floor(kernel / 2)`. */
  padding?: number;
}

/** `conv{k}x{k}` with torchvision's name `${name}.weight` and Kaiming-normal (fan_out) init. */
export class Conv2d {
  readonly weight: Param;
  readonly stride: number;
  readonly padding: number;

  constructor(
    store: ParamStore,
    name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    opts: ConvOptions,
  ) {
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? Math.floor(opts.kernel / 2);
    this.weight = store.create(
      `${name}.weight`,
      [opts.kernel, opts.kernel, inChannels, outChannels],
      { kind: "kaimingNormalFanOut" },
      ["weight"],
      "hwio",
    );
  }

  /** Convolves an NHWC batch. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const pad = this.padding === 0 ? "valid" : this.padding;
    return tf.conv2d(x, this.weight.variable as tf.Tensor4D, this.stride, pad);
  }
}
