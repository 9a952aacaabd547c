/**
 * `Conv2DBackpropFilter` for the `wasm` backend, built from its XNNPACK `Conv2D`.
 *
 * `dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - pad, ow*s + kw - pad, ci] dy[n, oh, ow, co]`
 * is a convolution in which the batch axis is the contraction ("channel") axis: the input is
 * `x` as `[ci, h, w, n]`, the filter is `dy` as `[oh, ow, n, co]`, the forward stride becomes
 * the dilation, and the output `[ci, kh, kw, co]` is transposed to HWIO.
 *
 * XNNPACK repacks a convolution's filter on every call (here: a tensor as large as `dy`). For
 * stride 1 the roles can swap — `dy` as `[co, oh, ow, n]` is the input and `x` as
 * `[h, w, n, ci]` the filter, giving `dW` spatially reversed — so the smaller of `x` and `dy`
 * is the one packed (the 3-channel stem: 4.4 -> ~20 GFLOP/s).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alias, alloc, f32, free, freeAlias, type Info } from "./heap.ts";
import { batchMatMul } from "./batch_mat_mul.ts";
import { convExplicit } from "./conv.ts";
import { stock } from "./stock.ts";
import { swapOuterInner } from "./transpose.ts";

/** Kernel function of `Conv2DBackpropFilter` (NHWC only, dilation 1 as tfjs's gradient). */
export function conv2DBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args
    .attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === "NCHW") {
    throw new RangeError("wasm Conv2DBackpropFilter supports dataFormat NHWC only");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const { inChannels: ci, outChannels: co } = info;
  if (kh === 1 && kw === 1 && top === 0 && left === 0) {
    return pointwiseFilterGrad(backend, x, dy, sh, sw, ho, wo, ci, co);
  }
  if (sh === 1 && sw === 1 && h * w * ci < ho * wo * co) {
    return withInputAsFilter(backend, x, dy, kh, kw, top, left, ho, wo, ci, co);
  }

  const xT = swapOuterInner(backend, x, x.shape[0], h * w, ci, [ci, h, w, x.shape[0]]);
  const dyT = stock(backend, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
  const r = convExplicit(backend, xT, dyT, [
    top,
    kh + (ho - 1) * sh - top - h,
    left,
    kw + (wo - 1) * sw - left - w,
  ], [sh, sw]);
  free(backend, xT);
  free(backend, dyT);
  const out = stock(backend, tf.Transpose, { x: r }, { perm: [1, 2, 0, 3] });
  free(backend, r);
  return out;
}

/**
 * Unpadded 1x1 kernels: `dW[ci, co] = xs^T . dy` with `xs` the pixels of `x` the stride visits
 * (`x` itself at stride 1), as a transposed matrix product (blocked transpose + XNNPACK).
 */
function pointwiseFilterGrad(
  backend: BackendWasm,
  x: Info,
  dy: Info,
  sh: number,
  sw: number,
  ho: number,
  wo: number,
  ci: number,
  co: number,
): Info {
  const [n, h, w] = x.shape;
  let xs = x;
  if (sh !== 1 || sw !== 1 || ho !== h || wo !== w) {
    xs = alloc(backend, [n, ho, wo, ci]);
    const src = f32(backend, x), dst = f32(backend, xs);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++, o += ci) {
          const s = ((b * h + i * sh) * w + j * sw) * ci;
          dst.set(src.subarray(s, s + ci), o);
        }
      }
    }
  }
  const m = n * ho * wo;
  const a = alias(backend, xs, 0, [m, ci]);
  const d = alias(backend, dy, 0, [m, co]);
  const out = batchMatMul({
    inputs: { a, b: d },
    backend,
    attrs: { transposeA: true, transposeB: false },
  });
  freeAlias(backend, a);
  freeAlias(backend, d);
  if (xs !== x) free(backend, xs);
  return { ...out, shape: [1, 1, ci, co] };
}

/** Stride 1, `x` packed as the filter: `dW[a, b] = r[co, kh-1-a, kw-1-b, ci]`. */
function withInputAsFilter(
  backend: BackendWasm,
  x: Info,
  dy: Info,
  kh: number,
  kw: number,
  top: number,
  left: number,
  ho: number,
  wo: number,
  ci: number,
  co: number,
): Info {
  const [, h, w] = x.shape;
  const dyT = swapOuterInner(backend, dy, dy.shape[0], ho * wo, co, [co, ho, wo, dy.shape[0]]);
  const xF = stock(backend, tf.Transpose, { x }, { perm: [1, 2, 0, 3] });
  const r = convExplicit(backend, dyT, xF, [
    kh - 1 - top,
    top + h - ho,
    kw - 1 - left,
    left + w - wo,
  ]);
  free(backend, dyT);
  free(backend, xF);
  const out = alloc(backend, [kh, kw, ci, co]);
  const rv = f32(backend, r), ov = f32(backend, out);
  for (let q = 0; q < co; q++) {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const src = ((q * kh + (kh - 1 - a)) * kw + (kw - 1 - b)) * ci;
        const dst = (a * kw + b) * ci * co + q;
        for (let p = 0; p < ci; p++) ov[dst + p * co] = rv[src + p];
      }
    }
  }
  free(backend, r);
  return out;
}

/** Registration record for {@link conv2DBackpropFilter}. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
