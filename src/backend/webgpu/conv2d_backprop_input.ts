/**
 * `Conv2DBackpropInput` on `webgpu` as an implicit GEMM, without the zeros a strided
 * transposed convolution would multiply.
 *
 * `dx[n, ih, iw, ci] = sum dy[n, oh, ow, co] W[kh, kw, ci, co]` over `oh*s - pad + kh = ih`
 * (and the same for w). For stride s the input pixels fall into s*s parity classes
 * `(ih mod s, iw mod s)`; within a class only the taps `kh = kh0 + s*t` contribute
 * (`kh0 = (ih + pad) mod s`), each at `oh = ih/s + base - t`. One workgroup layer (z) per class
 * runs the GEMM `dx_class[(n, i, j), ci] = sum_{(th, tw, co)} dy[...] W[...]`, contracting over
 * only that class's taps: for a 3x3 stride-2 layer, 9 taps in all instead of the 36 that the
 * stock program (zero insertion: `Conv2DDerInputMMProgram`) multiplies. Stride 1 is the single
 * class with every tap (a correlation with the rotated filter); on software adapters a
 * stride-1 layer runs as that correlation by row segments ({@link rowInputGrad}).
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type { ConvGeometry } from "../conv_geometry.ts";
import { convKernelConfig, geometryKey } from "./conv_info.ts";
import { gemmProgram } from "./gemm.ts";
import { ceilDiv, run } from "./program.ts";
import { rowInputGrad, rowInputGradFits } from "./row_conv.ts";
import { gemmTile, isSoftwareAdapter } from "./tuning.ts";

/** One axis of the parity classes: per residue r, its first tap, tap count and offset. */
interface AxisClasses {
  stride: number;
  /** Rows per class (the largest; a class with fewer masks the rest). */
  rows: number;
  first: number[];
  taps: number[];
  base: number[];
}

function axisClasses(size: number, k: number, s: number, pad: number): AxisClasses {
  const first: number[] = [], taps: number[] = [], base: number[] = [];
  for (let r = 0; r < s; r++) {
    const k0 = (r + pad) % s;
    first.push(k0);
    taps.push(k0 < k ? ceilDiv(k - k0, s) : 0);
    base.push((r + pad - k0) / s);
  }
  return { stride: s, rows: ceilDiv(size, s), first, taps, base };
}

/** `dx` (NHWC, `g`'s input shape) from `dy` and the HWIO filter. */
export function inputGrad(
  backend: WebGPUBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (isSoftwareAdapter() && rowInputGradFits(g)) return rowInputGrad(backend, dy, filter, g);
  const h = axisClasses(g.inH, g.kH, g.strideH, g.padTop);
  const w = axisClasses(g.inW, g.kW, g.strideW, g.padLeft);
  const classes = h.stride * w.stride;
  const maxTapsH = Math.max(...h.taps), maxTapsW = Math.max(...w.taps);
  const M = g.batch * h.rows * w.rows, N = g.inC, K = maxTapsH * maxTapsW * g.outC;
  const vecK = g.outC % 4 === 0, vecN = g.inC % 4 === 0;
  // Per-class values, picked by the workgroup's z (uniform): `rh = gz / sW`, `rw = gz % sW`.
  const pick = (r: string, values: number[]) =>
    values.slice(1).reduce((acc, v, i) => `select(${acc}, ${v}, ${r} == ${i + 1})`, `${values[0]}`);
  // Division by this class's tap count along w: one of at most two constants.
  const twValues = [...new Set(w.taps.map((t) => Math.max(t, 1)))];
  const divTw = (t: string) =>
    twValues.length === 1
      ? `${t} / ${twValues[0]}`
      : `select(${t} / ${twValues[0]}, ${t} / ${twValues[1]}, tapsW == ${twValues[1]})`;
  const decls = `
var<private> rh : i32;
var<private> rw : i32;
var<private> kh0 : i32;
var<private> kw0 : i32;
var<private> tapsH : i32;
var<private> tapsW : i32;
var<private> baseH : i32;
var<private> baseW : i32;`;
  const prologue = `
  rh = gz / ${w.stride};
  rw = gz % ${w.stride};
  kh0 = ${pick("rh", h.first)};
  kw0 = ${pick("rw", w.first)};
  tapsH = ${pick("rh", h.taps)};
  tapsW = ${pick("rw", w.taps)};
  baseH = ${pick("rh", h.base)};
  baseW = ${pick("rw", w.base)};`;
  const tile = gemmTile(M, N);
  // When the k-tile divides the output channels, a tile holds one filter tap: decompose its
  // first k once per tile (gk0) instead of every k per element.
  const tap = g.outC % tile.bk === 0
    ? `let t = gk0 / ${g.outC};
  let co = gk0 % ${g.outC} + (k - gk0);`
    : `let t = k / ${g.outC};
  let co = k % ${g.outC};`;
  const loadDy = `
fn loadA(m : i32, k : i32) -> ${vecK ? "vec4<f32>" : "f32"} {
  let n = m / ${h.rows * w.rows};
  let i = (m / ${w.rows}) % ${h.rows};
  let j = m % ${w.rows};
  ${tap}
  let th = ${divTw("t")};
  let tw = t - th * tapsW;
  let oh = i + baseH - th;
  let ow = j + baseW - tw;
  let inside = oh >= 0 && oh < ${g.outH} && ow >= 0 && ow < ${g.outW};
  let at = ((n * ${g.outH} + clamp(oh, 0, ${g.outH - 1})) * ${g.outW} + clamp(ow, 0, ${
    g.outW - 1
  })) * ${g.outC} + co;
  return select(${vecK ? "vec4<f32>(0.0)" : "0.0"}, dy[at${vecK ? " / 4" : ""}], inside);
}`;
  // B[k, ci] = W[kh, kw, ci, co]: consecutive k are consecutive co (vec4 along rows).
  const loadW = `
fn loadB(k : i32, ci : i32) -> ${vecK ? "vec4<f32>" : "f32"} {
  ${tap}
  let th = ${divTw("t")};
  let tw = t - th * tapsW;
  let kh = kh0 + th * ${h.stride};
  let kw = kw0 + tw * ${w.stride};
  let at = ((kh * ${g.kW} + kw) * ${g.inC} + ci) * ${g.outC} + co;
  return W[at${vecK ? " / 4" : ""}];
}`;
  const pixel = `
  let n = m / ${h.rows * w.rows};
  let ih = rh + ((m / ${w.rows}) % ${h.rows}) * ${h.stride};
  let iw = rw + (m % ${w.rows}) * ${w.stride};
  let at = ((n * ${g.inH} + ih) * ${g.inW} + iw) * ${g.inC} + c;
  if (ih < ${g.inH} && iw < ${g.inW})`;
  const store = vecN
    ? `fn store4(m : i32, c : i32, v : vec4<f32>) { ${pixel} { result[at / 4] = v; } }`
    : `fn store1(m : i32, c : i32, v : f32) { ${pixel} { result[at] = v; } }`;
  const spec = gemmProgram({
    key: `cbi_${geometryKey(g)}`,
    M,
    N,
    K,
    tile,
    classes,
    decls,
    prologue,
    kEnd: `tapsH * tapsW * ${g.outC}`,
    a: { fn: loadDy, vec: vecK ? "col" : "none", contiguous: "col" },
    b: { fn: loadW, vec: vecK ? "row" : "none", contiguous: "row" },
    store,
    inputs: ["dy", "W"],
    inputComponents: [vecK ? 4 : 1, vecK ? 4 : 1],
    outputShape: [g.batch, g.inH, g.inW, g.inC],
    outputComponent: vecN ? 4 : 1,
  });
  return run(backend, spec, [dy, filter]);
}

/** The project's `Conv2DBackpropInput` for `webgpu`. */
export const conv2DBackpropInputConfig: tf.KernelConfig = convKernelConfig(
  "Conv2DBackpropInput",
  (
    { filter },
    attrs,
  ) => [(attrs as unknown as tf.Conv2DBackpropInputAttrs).inputShape, filter.shape],
  (backend, { dy, filter }, g) => inputGrad(backend, dy, filter, g),
);
