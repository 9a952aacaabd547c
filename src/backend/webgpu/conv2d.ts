/**
 * `Conv2D` (forward) on `webgpu` as an implicit GEMM: `y[(n, oh, ow), co] =
 * sum_{(kh, kw, ci)} x[n, oh*s - pad + kh, ow*s - pad + kw, ci] W[(kh, kw, ci), co]`, the
 * im2col matrix read in place (vec4 along ci when the channel count allows) and the filter
 * read as the `[kh*kw*ci, co]` matrix it is in HWIO. The stock kernels also run every training
 * shape as a matrix product (1x1 stride 1 by `BatchMatMul`, small outputs by im2col + matmul,
 * the rest by `Conv2DMMProgram`); this one is tiled for the project's GEMM and measured faster
 * (see the bench's per-kernel table). On software adapters, the layers {@link rowConvFits}
 * takes run by row segments instead ({@link rowConv}). NCHW and dilated convolutions go to the
 * stock kernel.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type { ConvGeometry } from "../conv_geometry.ts";
import { convKernelConfig, geometryKey, readInput } from "./conv_info.ts";
import { gemmProgram } from "./gemm.ts";
import { run } from "./program.ts";
import { rowConv, rowConvFits } from "./row_conv.ts";
import { gemmTile, isSoftwareAdapter } from "./tuning.ts";

/** `y` (NHWC) of the convolution `g` of `x` with the HWIO `filter`. */
export function convForward(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (isSoftwareAdapter() && rowConvFits(g)) return rowConv(backend, x, filter, g);
  const M = g.batch * g.outH * g.outW, N = g.outC, K = g.kH * g.kW * g.inC;
  const vecK = g.inC % 4 === 0, vecN = g.outC % 4 === 0;
  const tile = gemmTile(M, N);
  // When the k-tile divides the channel count, a tile holds one filter tap: decompose its
  // first k once per tile (gk0) instead of every k per element.
  const tapPerTile = g.inC % tile.bk === 0;
  const tap = tapPerTile
    ? `let tap = gk0 / ${g.inC};
  let ci = gk0 % ${g.inC} + (k - gk0);`
    : `let tap = k / ${g.inC};
  let ci = k % ${g.inC};`;
  const loadX = `
fn loadA(m : i32, k : i32) -> ${vecK ? "vec4<f32>" : "f32"} {
  let n = m / ${g.outH * g.outW};
  let oh = (m / ${g.outW}) % ${g.outH};
  let ow = m % ${g.outW};
  ${tap}
  let kh = tap / ${g.kW};
  let kw = tap % ${g.kW};
  ${readInput(g, vecK)}
}`;
  const loadW = vecN
    ? `fn loadB(k : i32, n : i32) -> vec4<f32> { return W[(k * ${N} + n) / 4]; }`
    : `fn loadB(k : i32, n : i32) -> f32 { return W[k * ${N} + n]; }`;
  const store = vecN
    ? `fn store4(m : i32, n : i32, v : vec4<f32>) { result[(m * ${N} + n) / 4] = v; }`
    : `fn store1(m : i32, n : i32, v : f32) { result[m * ${N} + n] = v; }`;
  const spec = gemmProgram({
    key: `conv_${geometryKey(g)}`,
    M,
    N,
    K,
    tile,
    a: { fn: loadX, vec: vecK ? "col" : "none", contiguous: "col" },
    b: { fn: loadW, vec: vecN ? "col" : "none", contiguous: "col" },
    store,
    inputs: ["x", "W"],
    inputComponents: [vecK ? 4 : 1, vecN ? 4 : 1],
    outputShape: [g.batch, g.outH, g.outW, g.outC],
    outputComponent: vecN ? 4 : 1,
  });
  return run(backend, spec, [x, filter]);
}

/** The project's `Conv2D` for `webgpu`. */
export const conv2dConfig: tf.KernelConfig = convKernelConfig(
  "Conv2D",
  ({ x, filter }) => [x.shape, filter.shape],
  (backend, { x, filter }, g) => convForward(backend, x, filter, g),
);
