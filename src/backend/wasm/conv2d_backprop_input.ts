/**
 * `Conv2DBackpropInput` for the `wasm` backend, built from its XNNPACK `Conv2D`.
 *
 * `dx` is a stride-1 convolution of `dy` with the filter rotated 180 degrees and its in/out
 * channels swapped. For stride `s > 1`, the input pixels are split by their position modulo
 * `s` (one class per "output parity"): each class only meets the filter taps congruent to it,
 * so it is a small stride-1 convolution of `dy` with that sub-filter. The classes are then
 * interleaved into `dx`. This avoids the `s*s`-fold waste of convolving a zero-inserted `dy`.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alloc, f32, free, type Info } from "./heap.ts";
import { convExplicit } from "./conv.ts";
import { stock } from "./stock.ts";
import { transposeInto } from "./transpose.ts";

/** How one spatial axis of the input splits for output parity `e` (see the module note). */
export interface AxisParity {
  /** First filter tap that meets this class (`taps = r, r + s, ...`). */
  r: number;
  /** Number of taps that meet this class (0: the class gets no gradient). */
  taps: number;
  /** Input positions in this class: `e, e + s, ...` below the input size. */
  count: number;
  /** Padding of `dy` before / after along this axis for the stride-1 sub-convolution. */
  padBefore: number;
  padAfter: number;
}

/** The split of one axis (input size `inSize`, `dy` size `outSize`) for parity `e`. */
export function axisParity(
  e: number,
  stride: number,
  padBefore: number,
  filterSize: number,
  inSize: number,
  outSize: number,
): AxisParity {
  const t = e + padBefore;
  const r = t % stride;
  const c = Math.floor(t / stride);
  const taps = r < filterSize ? Math.ceil((filterSize - r) / stride) : 0;
  const count = e < inSize ? Math.ceil((inSize - e) / stride) : 0;
  return { r, taps, count, padBefore: taps - 1 - c, padAfter: count + c - outSize };
}

/**
 * The sub-filter for taps `rh + sh*m`, `rw + sw*m` of HWIO `filter` (`[kh, kw, ci, co]`),
 * rotated 180 degrees and with in/out channels swapped: shape `[mh, mw, co, ci]`. Each tap is
 * a blocked `[ci, co] -> [co, ci]` transpose in the heap.
 */
function subFilter(
  backend: BackendWasm,
  filter: Info,
  rh: number,
  sh: number,
  mh: number,
  rw: number,
  sw: number,
  mw: number,
): Info {
  const [, kw, ci, co] = filter.shape;
  const out = alloc(backend, [mh, mw, co, ci]);
  const src = f32(backend, filter), dst = f32(backend, out);
  for (let a = 0; a < mh; a++) {
    const fh = rh + sh * (mh - 1 - a);
    for (let b = 0; b < mw; b++) {
      const fw = rw + sw * (mw - 1 - b);
      transposeInto(src, (fh * kw + fw) * ci * co, ci, co, co, dst, (a * mw + b) * co * ci, ci);
    }
  }
  return out;
}

/** Kernel function of `Conv2DBackpropInput` (NHWC; other layouts go to the stock kernel). */
export function conv2DBackpropInput(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args
    .attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dataFormat === "NCHW") {
    return stock(backend, tf.Conv2DBackpropInput, args.inputs as Record<string, Info>, args.attrs);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: ho, outWidth: wo } = info;
  const top = info.padInfo.top, left = info.padInfo.left;

  if (sh === 1 && sw === 1) {
    const ph = axisParity(0, 1, top, kh, h, ho);
    const pw = axisParity(0, 1, left, kw, w, wo);
    const sub = subFilter(backend, filter, 0, 1, kh, 0, 1, kw);
    const out = convExplicit(backend, dy, sub, [
      ph.padBefore,
      ph.padAfter,
      pw.padBefore,
      pw.padAfter,
    ]);
    free(backend, sub);
    return out;
  }

  const dx = alloc(backend, [n, h, w, ci]);
  for (let eh = 0; eh < sh; eh++) {
    const ph = axisParity(eh, sh, top, kh, h, ho);
    if (ph.count === 0) continue;
    for (let ew = 0; ew < sw; ew++) {
      const pw = axisParity(ew, sw, left, kw, w, wo);
      if (pw.count === 0) continue;
      let part: Info | null = null;
      if (ph.taps > 0 && pw.taps > 0) {
        const sub = subFilter(backend, filter, ph.r, sh, ph.taps, pw.r, sw, pw.taps);
        part = convExplicit(backend, dy, sub, [
          ph.padBefore,
          ph.padAfter,
          pw.padBefore,
          pw.padAfter,
        ]);
        free(backend, sub);
      }
      scatterParity(backend, dx, part, eh, sh, ph.count, ew, sw, pw.count);
      if (part) free(backend, part);
    }
  }
  return dx;
}

/** Writes `part` (`[n, ch, cw, c]`, or zeros when null) to pixels `(eh + sh*i, ew + sw*j)`. */
function scatterParity(
  backend: BackendWasm,
  dx: Info,
  part: Info | null,
  eh: number,
  sh: number,
  ch: number,
  ew: number,
  sw: number,
  cw: number,
): void {
  const [n, h, w, c] = dx.shape;
  const dst = f32(backend, dx);
  const src = part ? f32(backend, part) : null;
  const step = sw * c;
  let s = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ch; i++) {
      let d = ((b * h + eh + sh * i) * w + ew) * c;
      for (let j = 0; j < cw; j++, d += step) {
        if (src) {
          for (let k = 0; k < c; k++) dst[d + k] = src[s++];
        } else {
          for (let k = 0; k < c; k++) dst[d + k] = 0;
        }
      }
    }
  }
}

/** Registration record for {@link conv2DBackpropInput}. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
