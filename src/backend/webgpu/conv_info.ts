/**
 * Convolution kernels on `webgpu`: the geometry they cover (NHWC, dilation 1), the cache key
 * of a geometry, and the kernel function that hands everything else to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { type ConvGeometry, convGeometryOf } from "../conv_geometry.ts";
import { stock, webGpuKernelEnabled } from "./stock.ts";

/** TensorFlow.js's convolution attributes (those of Conv2D and both its gradients). */
interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * The geometry of `x (xShape) * filter (filterShape)` with tfjs's attributes, or `undefined`
 * when the project kernels do not cover it (NCHW, dilation other than 1).
 */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): ConvGeometry | undefined {
  if (attrs.dataFormat === "NCHW") return undefined;
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) return undefined;
  return convGeometryOf(tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as never,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  ));
}

/** A short string naming every size of `g` (for pipeline cache keys). */
export function geometryKey(g: ConvGeometry): string {
  return [
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
  ].join("_");
}

/**
 * WGSL statements ending a loader of the convolution input `x` (binding `x`, vec4s of
 * channels when `vec`): given `n, oh, ow, kh, kw, ci` in scope, reads
 * `x[n, oh*s - pad + kh, ow*s - pad + kw, ci]`, 0 in the padding.
 */
export function readInput(g: ConvGeometry, vec: boolean): string {
  return `
  let ih = oh * ${g.strideH} - ${g.padTop} + kh;
  let iw = ow * ${g.strideW} - ${g.padLeft} + kw;
  let inside = ih >= 0 && ih < ${g.inH} && iw >= 0 && iw < ${g.inW};
  let at = ((n * ${g.inH} + clamp(ih, 0, ${g.inH - 1})) * ${g.inW} + clamp(iw, 0, ${
    g.inW - 1
  })) * ${g.inC} + ci;
  return select(${vec ? "vec4<f32>(0.0)" : "0.0"}, x[at${vec ? " / 4" : ""}], inside);`;
}

/**
 * The kernel config of convolution kernel `name`: `shapes` gives the input and filter shapes
 * from the kernel's inputs and attributes, `impl` runs the project kernel on the geometry;
 * uncovered geometries, float32-less inputs and a switched-off project set go to the stock
 * kernel.
 */
export function convKernelConfig(
  name: string,
  shapes: (inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => [number[], number[]],
  impl: (
    backend: WebGPUBackend,
    inputs: Record<string, tf.TensorInfo>,
    g: ConvGeometry,
  ) => tf.TensorInfo,
): tf.KernelConfig {
  const kernelFunc = (
    args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
  ) => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const floats = Object.values(inputs).every((t) => t.dtype === "float32");
    const g = webGpuKernelEnabled(name) && floats
      ? convGeometry(...shapes(inputs, args.attrs), args.attrs as unknown as ConvAttrs)
      : undefined;
    if (!g) return stock(name, args) as tf.TensorInfo;
    return impl(args.backend as WebGPUBackend, inputs, g);
  };
  return { kernelName: name, backendName: "webgpu", kernelFunc: kernelFunc as tf.KernelFunc };
}
