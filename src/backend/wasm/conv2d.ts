/**
 * `Conv2D` for the `wasm` backend: unpadded 1x1 stride-1 convolutions (most of ResNet-50's)
 * run as an XNNPACK matrix product ({@link pointwise}), everything else on the stock XNNPACK
 * convolution.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { Info } from "./heap.ts";
import { pointwise } from "./conv.ts";
import { stock } from "./stock.ts";

/** Kernel function of `Conv2D`. */
export function conv2d(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, filter } = args.inputs as { x: Info; filter: Info };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args
    .attrs as unknown as tf.Conv2DAttrs;
  if (
    dataFormat !== "NCHW" && x.dtype === "float32" && filter.shape[0] === 1 &&
    filter.shape[1] === 1
  ) {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      dilations ?? 1,
      pad,
      dimRoundingMode,
    );
    const p = info.padInfo;
    if (
      info.strideHeight === 1 && info.strideWidth === 1 &&
      p.top + p.bottom + p.left + p.right === 0 && info.outHeight === info.inHeight &&
      info.outWidth === info.inWidth
    ) {
      return pointwise(backend, x, filter);
    }
  }
  return stock(backend, tf.Conv2D, args.inputs as Record<string, Info>, args.attrs);
}

/** Registration record for {@link conv2d}. */
export const conv2dConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: "wasm",
  kernelFunc: conv2d as unknown as tf.KernelFunc,
};
