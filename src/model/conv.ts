/** A 2-D convolution without bias (as in ResNets), weight stored HWIO, torchvision padding. */
import * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "./forward_context.ts";
import type { Param, ParamStore } from "./params.ts";

/** Convolution options. */
export interface ConvOptions {
  kernel: number;
  stride?: number;
  /** Symmetric zero padding in pixels (torchvision's `padding`); default `floor(kernel / 2)`. */
  padding?: number;
  /**
   * Whether the backward pass computes the gradient of the input (default true). A layer fed with
   * the images (the stem) sets false: nothing uses that gradient, and computing it is a second
   * convolution as large as the forward one.
   */
  inputGradient?: boolean;
}

/** `conv{k}x{k}` with torchvision's name `${name}.weight` and Kaiming-normal (fan_out) init. */
export class Conv2d {
  readonly weight: Param;
  readonly stride: number;
  readonly padding: number;
  readonly inputGradient: boolean;

  constructor(
    store: ParamStore,
    name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    opts: ConvOptions,
  ) {
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? Math.floor(opts.kernel / 2);
    this.inputGradient = opts.inputGradient ?? true;
    this.weight = store.create(
      `${name}.weight`,
      [opts.kernel, opts.kernel, inChannels, outChannels],
      { kind: "kaimingNormalFanOut" },
      ["weight"],
      "hwio",
    );
  }

  /** Convolves an NHWC batch (`ctx.retain`: see {@link ForwardContext}). */
  apply(x: tf.Tensor4D, ctx?: ForwardContext): tf.Tensor4D {
    const pad = this.padding === 0 ? "valid" : this.padding;
    const w = this.weight.variable as tf.Tensor4D;
    if (!this.inputGradient) return conv2dFilterGradientOnly(x, w, this.stride, pad);
    return conv2dFreeingGradients(x, w, this.stride, pad, ctx?.retain);
  }
}

/**
 * `tf.conv2d` whose gradient is the stock pair of kernels (Conv2DBackpropInput and
 * Conv2DBackpropFilter, whatever the backend registers), but which frees its saved input and
 * the incoming gradient as soon as it has used them, instead of at the end of the backward
 * pass: with the BN gradient doing the same, a ResNet step's peak memory drops a lot, which
 * matters on wasm's 4 GiB heap.
 */
export function conv2dFreeingGradients(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: "valid" | number,
  retain?: tf.Tensor[],
): tf.Tensor4D {
  let alias: tf.Tensor | undefined;
  const op = tf.customGrad((xIn, wIn, save) => {
    const input = xIn as tf.Tensor4D;
    const filter = wIn as tf.Tensor4D;
    if (retain) {
      // A zero-copy alias of the input (the engine's saved clones are copies on wasm); the
      // filter is read from the closure.
      alias = tf.keep(tf.reshape(input, input.shape));
      retain.push(alias);
    } else {
      (save as tf.GradSaveFunc)([input, filter]);
    }
    return {
      value: tf.conv2d(input, filter, stride, pad),
      gradFunc: (dy: tf.Tensor, savedByEngine: tf.Tensor[]) => {
        const saved = alias ? [alias] : savedByEngine;
        const xs = saved[0];
        const ws = filter;
        const common = {
          strides: [stride, stride],
          pad,
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
        };
        const dx = tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: ws }, {
          ...common,
          inputShape: xs.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x: xs, dy }, {
          ...common,
          filterShape: ws.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        for (const t of saved) t.dispose();
        dy.dispose();
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}

/**
 * `tf.conv2d` of a constant input (the images): the backward pass computes only the filter's
 * gradient (Conv2DBackpropFilter), and frees the incoming gradient once used. The input must stay
 * alive until the backward pass, as the batch does.
 */
export function conv2dFilterGradientOnly(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: "valid" | number,
): tf.Tensor4D {
  const op = tf.customGrad((wIn) => {
    const filter = wIn as tf.Tensor4D;
    return {
      value: tf.conv2d(x, filter, stride, pad),
      gradFunc: (dy: tf.Tensor) => {
        const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: [stride, stride],
          pad,
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        dy.dispose();
        return [dw];
      },
    };
  });
  return op(w) as tf.Tensor4D;
}
