/**
 * Crop and resize in one step: bilinear (triangle filter) that widens its support when it
 * shrinks, so downscaling antialiases, with PIL's `ImagingResample` coefficients. Bytes in,
 * floats in [0, 1] out; separable (horizontal pass over the crop's rows, then vertical).
 */

import type { RawImage } from "../data/sample.ts";
import type { CropBox } from "./crop.ts";
import { floatImage } from "./_image.ts";
import type { FloatImage } from "./image.ts";

/**
 * Filter taps of one axis: for output `i`, `count[i]` weights from `first[i]` on.
 *
 * For example:
 * ```text
 * const c: ResampleCoefficients = resampleCoefficients(0, 64, 32);
 * const w0 = c.weights.subarray(0, c.count[0]); // taps of output 0, from input c.first[0]
 * ```
 */
export interface ResampleCoefficients {
  /** Taps stored per output (stride of `weights`). */
  taps: number;
  /** First input index of each output. */
  first: Int32Array;
  /** Number of taps of each output. */
  count: Int32Array;
  /** `taps` weights per output, the first `count[i]` used. */
  weights: Float32Array;
}

/**
 * Reusable buffers, so that resizing allocates nothing once warm.
 *
 * For example:
 * ```text
 * const ws = new ResizeWorkspace();
 * resizedCrop(image, box, 224, out, false, ws); // again and again with the same ws
 * ```
 */
export class ResizeWorkspace {
  /** Horizontal-pass result: crop rows x output width x channels. */
  tmp: Float32Array = new Float32Array(0);
  /** Horizontal coefficients. */
  x: ResampleCoefficients = {
    taps: 0,
    first: new Int32Array(0),
    count: new Int32Array(0),
    weights: new Float32Array(0),
  };
  /** Vertical coefficients. */
  y: ResampleCoefficients = {
    taps: 0,
    first: new Int32Array(0),
    count: new Int32Array(0),
    weights: new Float32Array(0),
  };
}

/**
 * Triangle-filter coefficients mapping `[start, start + length)` of an axis onto `outSize`
 * samples (PIL's `precompute_coeffs` with support 1, clipped to the crop). Weights are
 * multiplied by `gain` (1/255 turns bytes into [0, 1]).
 *
 * For example:
 * ```text
 * const c = resampleCoefficients(0, 2, 4); // upsample 2 -> 4
 * // output 1 = 0.75 * input 0 + 0.25 * input 1
 * ```
 */
export function resampleCoefficients(
  start: number,
  length: number,
  outSize: number,
  gain = 1,
  reuse?: ResampleCoefficients,
): ResampleCoefficients {
  const scale = length / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear support 1, widened when shrinking
  const taps = Math.ceil(support) * 2 + 1;
  const c = reuse && reuse.first.length >= outSize && reuse.weights.length >= outSize * taps
    ? reuse
    : {
      taps,
      first: new Int32Array(outSize),
      count: new Int32Array(outSize),
      weights: new Float32Array(outSize * taps),
    };
  c.taps = taps;
  const inv = 1 / filterScale;
  const end = start + length;
  for (let o = 0; o < outSize; o++) {
    const center = start + (o + 0.5) * scale;
    let lo = Math.trunc(center - support + 0.5);
    if (lo < start) lo = start;
    let hi = Math.trunc(center + support + 0.5);
    if (hi > end) hi = end;
    const base = o * taps;
    let total = 0;
    for (let k = 0; k < hi - lo; k++) {
      let t = (k + lo - center + 0.5) * inv;
      if (t < 0) t = -t;
      const w = t < 1 ? 1 - t : 0;
      c.weights[base + k] = w;
      total += w;
    }
    const norm = total === 0 ? 0 : gain / total;
    for (let k = 0; k < hi - lo; k++) c.weights[base + k] *= norm;
    c.first[o] = lo;
    c.count[o] = hi - lo;
  }
  return c;
}

/**
 * Crops `box` out of `src` and resizes it to `size` x `size` floats in [0, 1]; with `flip`, the
 * result is mirrored left-right (fused: same values as {@link hflip} afterwards). Writes into
 * `out` when given.
 *
 * For example:
 * ```text
 * const raw = { key: "k", width: 4, height: 4, channels: 1 as const, data: new Uint8Array(16).fill(255) };
 * const view = resizedCrop(raw, { top: 0, left: 0, height: 2, width: 2 }, 8); // all 1.0
 * ```
 */
export function resizedCrop(
  src: RawImage,
  box: CropBox,
  size: number,
  out?: FloatImage,
  flip = false,
  ws: ResizeWorkspace = new ResizeWorkspace(),
): FloatImage {
  const C = src.channels;
  if (
    box.left < 0 || box.top < 0 || box.width < 1 || box.height < 1 ||
    box.left + box.width > src.width || box.top + box.height > src.height
  ) {
    throw new RangeError(
      `resizedCrop: box ${JSON.stringify(box)} is not inside the ${src.width}x${src.height} image`,
    );
  }
  const dst = out ?? floatImage(size, size, C);
  if (dst.width !== size || dst.height !== size || dst.channels !== C) {
    throw new RangeError(
      `resizedCrop: output is ${dst.width}x${dst.height}x${dst.channels}, expected ${size}x${size}x${C}`,
    );
  }
  const cx = ws.x = resampleCoefficients(box.left, box.width, size, 1 / 255, ws.x);
  const cy = ws.y = resampleCoefficients(box.top, box.height, size, 1, ws.y);
  const rowLen = size * C;
  const need = box.height * rowLen;
  if (ws.tmp.length < need) ws.tmp = new Float32Array(need);
  const tmp = ws.tmp;
  const data = src.data;
  const srcRow = src.width * C;
  const xt = cx.taps, xf = cx.first, xc = cx.count, xw = cx.weights;
  // Horizontal pass: crop rows -> tmp (rows of `size` output pixels).
  for (let r = 0; r < box.height; r++) {
    const sBase = (box.top + r) * srcRow;
    const tBase = r * rowLen;
    for (let o = 0; o < size; o++) {
      const wBase = o * xt;
      const n = xc[o];
      let s = sBase + xf[o] * C;
      const d = tBase + (flip ? size - 1 - o : o) * C;
      if (C === 3 && n === 2) {
        // Upsampling mostly needs two taps: unrolled.
        const w0 = xw[wBase], w1 = xw[wBase + 1];
        tmp[d] = w0 * data[s] + w1 * data[s + 3];
        tmp[d + 1] = w0 * data[s + 1] + w1 * data[s + 4];
        tmp[d + 2] = w0 * data[s + 2] + w1 * data[s + 5];
      } else if (C === 3) {
        let r0 = 0, g0 = 0, b0 = 0;
        for (let k = 0; k < n; k++, s += 3) {
          const w = xw[wBase + k];
          r0 += w * data[s];
          g0 += w * data[s + 1];
          b0 += w * data[s + 2];
        }
        tmp[d] = r0;
        tmp[d + 1] = g0;
        tmp[d + 2] = b0;
      } else {
        let v = 0;
        for (let k = 0; k < n; k++, s++) v += xw[wBase + k] * data[s];
        tmp[d] = v;
      }
    }
  }
  // Vertical pass: tmp -> output rows.
  const yt = cy.taps, yf = cy.first, yc = cy.count, yw = cy.weights;
  const od = dst.data;
  for (let o = 0; o < size; o++) {
    const wBase = o * yt;
    const n = yc[o];
    const r0 = (yf[o] - box.top) * rowLen;
    const dBase = o * rowLen;
    if (n === 2) {
      const w0 = yw[wBase], w1 = yw[wBase + 1];
      const r1 = r0 + rowLen;
      for (let i = 0; i < rowLen; i++) od[dBase + i] = w0 * tmp[r0 + i] + w1 * tmp[r1 + i];
    } else {
      for (let i = 0; i < rowLen; i++) {
        let v = 0;
        for (let k = 0, t = r0 + i; k < n; k++, t += rowLen) v += yw[wBase + k] * tmp[t];
        od[dBase + i] = v;
      }
    }
  }
  return dst;
}
