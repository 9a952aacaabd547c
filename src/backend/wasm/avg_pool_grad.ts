/**
 * `AvgPoolGrad` for the `wasm` backend: each output pixel's `dy / (filterHeight * filterWidth)`
 * (TensorFlow.js's convention, as the `cpu` backend) is added to the in-bounds pixels of its
 * window, channels innermost, in JavaScript on the heap. The stock kernel's generic loop took
 * 25-30 ms for the global-pool gradient of a 128x8x8x128 batch; this one about 1-2 ms.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32, type Info, zeros } from "./heap.ts";

/** Kernel function of `AvgPoolGrad` (NHWC, float32). */
export function avgPoolGrad(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const scale = 1 / (info.filterHeight * info.filterWidth);
  const dx = zeros(backend, input.shape);
  const dyv = f32(backend, dy), dxv = f32(backend, dx);
  const v = new Float32Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const h0 = i * sh - top;
      for (let j = 0; j < ow; j++, o += c) {
        const w0 = j * sw - left;
        for (let k = 0; k < c; k++) v[k] = dyv[o + k] * scale;
        for (let y = h0; y < h0 + fh && y < h; y += dh) {
          if (y < 0) continue;
          for (let x = w0; x < w0 + fw && x < w; x += dw) {
            if (x < 0) continue;
            const base = ((b * h + y) * w + x) * c;
            for (let k = 0; k < c; k++) dxv[base + k] += v[k];
          }
        }
      }
    }
  }
  return dx;
}

/** Registration record for {@link avgPoolGrad}. */
export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: "wasm",
  kernelFunc: avgPoolGrad as unknown as tf.KernelFunc,
};
