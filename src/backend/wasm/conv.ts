/**
 * A stride-1 convolution on the wasm backend's XNNPACK `Conv2D` with explicit, per-side padding
 * that may be negative (a negative pad crops the input first) and optional dilation. Unpadded
 * 1x1 convolutions run as one XNNPACK matrix product instead (see {@link pointwise}).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alias, free, freeAlias, type Info } from "./heap.ts";
import { cropSpatial } from "./crop.ts";
import { stock } from "./stock.ts";

/** Per-side padding of the two spatial axes: `[top, bottom, left, right]`, negatives crop. */
export type Pads = [number, number, number, number];

/**
 * `conv2d(x, filter)` with stride 1, dilation `dilation` and padding `pads` (NHWC `x`, HWIO
 * `filter`), computed by the stock XNNPACK kernel so the data never leaves wasm memory.
 */
export function convExplicit(
  backend: BackendWasm,
  x: Info,
  filter: Info,
  pads: Pads,
  dilation: [number, number] = [1, 1],
): Info {
  if (x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== filter.shape[2]) {
    // XNNPACK trusts these shapes; a mismatch would read out of bounds and poison the heap.
    throw new TypeError(`convExplicit: bad shapes x [${x.shape}], filter [${filter.shape}]`);
  }
  let [top, bottom, left, right] = pads;
  let input = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [, h, w] = x.shape;
    const t = Math.max(0, -top), b = Math.max(0, -bottom);
    const l = Math.max(0, -left), r = Math.max(0, -right);
    input = cropSpatial(backend, x, t, h - t - b, l, w - l - r);
    top = Math.max(0, top), bottom = Math.max(0, bottom);
    left = Math.max(0, left), right = Math.max(0, right);
  }
  if (filter.shape[0] === 1 && filter.shape[1] === 1 && top + bottom + left + right === 0) {
    const out = pointwise(backend, input, filter);
    if (input !== x) free(backend, input);
    return out;
  }
  const out = stock(backend, "Conv2D", { x: input, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: "NHWC",
    dilations: dilation,
  });
  if (input !== x) free(backend, input);
  return out;
}

/**
 * An unpadded 1x1 convolution as the matrix product `x[n*h*w, ci] . filter[ci, co]` on the
 * stock `BatchMatMul` (XNNPACK fully-connected). XNNPACK's conv operator makes TensorFlow.js
 * transpose the filter with a slow generic loop before packing it; the fully-connected one
 * packs it directly: 2.4x faster at small spatial sizes (8x2x2x2048 -> 512), equal at large.
 * The filter tensor itself is passed, so XNNPACK's per-tensor packing cache still applies.
 */
export function pointwise(backend: BackendWasm, x: Info, filter: Info): Info {
  const [n, h, w, ci] = x.shape;
  const co = filter.shape[3];
  const a = alias(backend, x, 0, [n * h * w, ci]);
  const out = stock(backend, "BatchMatMul", { a, b: filter }, {
    transposeA: false,
    transposeB: false,
  });
  freeAlias(backend, a);
  return { ...out, shape: [n, h, w, co] };
}
