/**
 * `AvgPoolGrad` on `webgpu` for global average pooling (the window is the whole input, as the
 * model's `globalAveragePool` uses it): `dx[n, h, w, c] = dy[n, 0, 0, c] / (H * W)`, one
 * coalesced pass. The stock kernel loops over every window position per input pixel (0.6 s per
 * bench-net step on llvmpipe); other pools go to it.
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { channelMap, channelType } from "./channel_pass.ts";
import { stock, webGpuKernelEnabled } from "./stock.ts";

const NAME = "AvgPoolGrad";

/** Kernel function of `AvgPoolGrad`. */
function avgPoolGrad(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const [n, h, w, c] = input.shape;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const global = input.shape.length === 4 && info.outHeight === 1 && info.outWidth === 1 &&
    info.filterHeight === h && info.filterWidth === w && info.padInfo.top === 0 &&
    info.padInfo.left === 0;
  if (!webGpuKernelEnabled(NAME) || !global || dy.dtype !== "float32") {
    return stock(NAME, args) as tf.TensorInfo;
  }
  const t = channelType(c);
  const cv = c % 4 === 0 ? c / 4 : c;
  // Row r of [n*h*w, c] takes dy's row r / (h*w).
  return channelMap(
    args.backend as WebGPUBackend,
    n * h * w,
    c,
    {
      key: `avgpoolgrad_${h}_${w}`,
      inputs: ["dy"],
      setup: "",
      body: `result[at] = dy[(r / ${h * w}) * ${cv} + cc] * ${t}(${1 / (h * w)});`,
    },
    [dy],
    input.shape,
  );
}

/** The project's `AvgPoolGrad` for `webgpu` (global pooling; the rest to the stock kernel). */
export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: "webgpu",
  kernelFunc: avgPoolGrad as unknown as tf.KernelFunc,
};
