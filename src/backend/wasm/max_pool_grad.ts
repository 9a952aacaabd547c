/**
 * `MaxPoolGrad` for the `wasm` backend.
 *
 * The stock kernel starts each window's running maximum at `FLT_MIN` (the smallest positive
 * float, not the lowest), so a window whose values are all <= 0 — common right after a ReLU —
 * sends its gradient to element 0 of the tensor instead of to its own maximum. This one runs in
 * JavaScript on the heap: per output pixel it finds each channel's first maximum (as the `cpu`
 * backend does) and adds `dy` there.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32, type Info, zeros } from "./heap.ts";

/** Kernel function of `MaxPoolGrad` (NHWC, float32). */
export function maxPoolGrad(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args
    .attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const dx = zeros(backend, input.shape);
  const xv = f32(backend, input), dyv = f32(backend, dy), dxv = f32(backend, dx);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const h0 = i * sh - top;
      // First in-bounds row/column of the window (the window always holds one).
      const y0 = h0 >= 0 ? h0 : h0 + dh * Math.ceil(-h0 / dh);
      const y1 = Math.min(h0 + fh, h);
      for (let j = 0; j < ow; j++, o += c) {
        const w0 = j * sw - left;
        const x0 = w0 >= 0 ? w0 : w0 + dw * Math.ceil(-w0 / dw);
        const x1 = Math.min(w0 + fw, w);
        let first = true;
        for (let y = y0; y < y1; y += dh) {
          for (let x = x0; x < x1; x += dw) {
            const base = ((b * h + y) * w + x) * c;
            if (first) {
              for (let k = 0; k < c; k++) {
                best[k] = xv[base + k];
                where[k] = base + k;
              }
              first = false;
              continue;
            }
            for (let k = 0; k < c; k++) {
              const v = xv[base + k];
              if (v > best[k]) {
                best[k] = v;
                where[k] = base + k;
              }
            }
          }
        }
        if (!first) { for (let k = 0; k < c; k++) dxv[where[k]] += dyv[o + k]; }
      }
    }
  }
  return dx;
}

/** Registration record for {@link maxPoolGrad}. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
