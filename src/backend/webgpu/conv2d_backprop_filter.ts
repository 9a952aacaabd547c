/**
 * `Conv2DBackpropFilter` on `webgpu` as an implicit GEMM with split-K:
 *
 * `dW[(kh, kw, ci), co] = sum_{(n, oh, ow)} x[n, oh*s - pad + kh, ow*s - pad + kw, ci] dy[n, oh, ow, co]`
 *
 * is `im2col(x)^T . dy` with M = kh*kw*ci rows, N = co columns, contracting over
 * K = batch*outH*outW (524,288 for a 64-channel layer at 512 views of 32x32). The output is
 * small and K huge, so K is split into slices, one workgroup per (output tile, slice), each
 * writing a partial product; {@link reduceSlices} sums them. The stock kernel (one thread per
 * filter element summing all of K serially) is kept for NCHW and dilated convolutions. On
 * software adapters the layers {@link rowConvFits} takes run by row segments
 * ({@link rowFilterGrad}).
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type { ConvGeometry } from "../conv_geometry.ts";
import { convKernelConfig, geometryKey, readInput } from "./conv_info.ts";
import { gemmMaxK, gemmProgram, type Loader } from "./gemm.ts";
import { ceilDiv, run } from "./program.ts";
import { reduceSlices } from "./reduce_slices.ts";
import { rowConvFits, rowFilterGrad } from "./row_conv.ts";
import { gemmTile, getTargetWorkgroups, isSoftwareAdapter } from "./tuning.ts";

/** Contraction per slice below which splitting further costs more than it gains. */
const MIN_SLICE_K = 1024;

/** `dW` (HWIO) of the convolution `g` from its input `x` and output gradient `dy`. */
export function filterGrad(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (isSoftwareAdapter() && rowConvFits(g)) return rowFilterGrad(backend, x, dy, g);
  const M = g.kH * g.kW * g.inC, N = g.outC, K = g.batch * g.outH * g.outW;
  const tile = gemmTile(M, N);
  const tiles = ceilDiv(M, tile.bm) * ceilDiv(N, tile.bn);
  const vecA = g.inC % 4 === 0, vecB = N % 4 === 0;
  const a: Loader = { fn: loadX(g, vecA), vec: vecA ? "row" : "none", contiguous: "row" };
  const b: Loader = { fn: loadDy(N, vecB), vec: vecB ? "col" : "none", contiguous: "col" };
  const maxSlices = Math.max(1, Math.floor(K / MIN_SLICE_K));
  // Enough slices to fill the device, and always enough that no invocation loops past the
  // loop limit (software adapters would silently stop a longer contraction).
  const slices = Math.max(
    Math.min(maxSlices, Math.max(1, Math.round(getTargetWorkgroups() / tiles))),
    ceilDiv(K, gemmMaxK(tile, a, b)),
  );
  const filterShape = [g.kH, g.kW, g.inC, g.outC];
  const spec = gemmProgram({
    key: `cbf_${geometryKey(g)}`,
    M,
    N,
    K,
    tile,
    slices,
    a,
    b,
    store: vecB
      ? `fn store4(m : i32, n : i32, v : vec4<f32>) { result[(gz * ${M} + m) * ${
        N / 4
      } + n / 4] = v; }`
      : `fn store1(m : i32, n : i32, v : f32) { result[(gz * ${M} + m) * ${N} + n] = v; }`,
    inputs: ["x", "dy"],
    inputComponents: [vecA ? 4 : 1, vecB ? 4 : 1],
    outputShape: slices > 1 ? [slices, M, N] : filterShape,
    outputComponent: vecB ? 4 : 1,
  });
  return reduceSlices(backend, run(backend, spec, [x, dy]), slices, filterShape);
}

/** `loadA(m, k)`: the im2col matrix, transposed: row m = (kh, kw, ci), column k = (n, oh, ow). */
function loadX(g: ConvGeometry, vec: boolean): string {
  const type = vec ? "vec4<f32>" : "f32";
  return `
fn loadA(m : i32, k : i32) -> ${type} {
  let kh = m / ${g.kW * g.inC};
  let kw = (m / ${g.inC}) % ${g.kW};
  let ci = m % ${g.inC};
  let n = k / ${g.outH * g.outW};
  let oh = (k / ${g.outW}) % ${g.outH};
  let ow = k % ${g.outW};
  ${readInput(g, vec)}
}`;
}

/** `loadB(k, n)`: `dy` as a `[batch*outH*outW, outC]` matrix. */
function loadDy(outC: number, vec: boolean): string {
  return vec
    ? `fn loadB(k : i32, n : i32) -> vec4<f32> { return dy[(k * ${outC} + n) / 4]; }`
    : `fn loadB(k : i32, n : i32) -> f32 { return dy[k * ${outC} + n]; }`;
}

/** The project's `Conv2DBackpropFilter` for `webgpu`. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = convKernelConfig(
  "Conv2DBackpropFilter",
  ({ x }, attrs) => [x.shape, (attrs as unknown as tf.Conv2DBackpropFilterAttrs).filterShape],
  (backend, { x, dy }, g) => filterGrad(backend, x, dy, g),
);
