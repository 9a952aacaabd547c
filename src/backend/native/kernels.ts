/**
 * TensorFlow.js kernels for the `wasm` backend that run oneDNN / BLAS on the wasm heap in
 * place. Each replaces the kernel registered before it (stock or project), and hands back to
 * that kernel for what it does not cover (other dtypes, NCHW, PReLU).
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import { convGeometryOf } from "../conv_geometry.ts";
import { convPlan, postOpFor } from "./conv.ts";
import type { DnnlContext } from "./dnnl.ts";
import type { Gemm } from "./gemm.ts";
import { Heap, type WasmBackend } from "./heap.ts";
import { type PoolGeometry, type PoolKind, poolPlan } from "./pool.ts";
import { batchNormPlan } from "./batch_norm.ts";
import { nativeKernelEnabled } from "./enabled.ts";

export { setNativeKernelsEnabled } from "./enabled.ts";

type Inputs = Record<string, TensorInfo | undefined>;
type Args = { inputs: Inputs; backend: WasmBackend; attrs: NamedAttrMap };

/** What the kernels need: oneDNN for convolutions (optional), an sgemm for products. */
export interface KernelDeps {
  dnnl?: DnnlContext;
  gemm: Gemm;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function nhwc(attrs: NamedAttrMap): boolean {
  const f = attrs.dataFormat as string | undefined;
  return f === undefined || f === "NHWC" || f === "channelsLast";
}

const allF32 = (...ts: (TensorInfo | undefined)[]) =>
  ts.every((t) => t === undefined || t === null || t.dtype === "float32");

function conv2d(deps: KernelDeps, args: Args, fused: boolean): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (!deps.dnnl || !x || !filter || !nhwc(attrs) || !allF32(x, filter, bias)) return null;
  if (preluActivationWeights) return null;
  const activation = fused ? (attrs.activation as string) ?? "linear" : "linear";
  const postOps = postOpFor(activation, (attrs.leakyreluAlpha as number | undefined) ?? 0.2);
  if (postOps === null) return null;
  if (bias && size(bias.shape) !== filter.shape[3]) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | number | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const plan = convPlan(deps.dnnl, "forward", convGeometryOf(info), !!bias, postOps);
  const out = backend.makeOutput(info.outShape, "float32");
  if (size(info.outShape) === 0) return out;
  const heap = new Heap(backend);
  plan.run(heap.ptr(x), heap.ptr(filter), heap.ptr(out), bias ? heap.ptr(bias) : null);
  return out;
}

function conv2dBackpropInput(deps: KernelDeps, args: Args): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (!deps.dnnl || !dy || !filter || !nhwc(attrs) || !allF32(dy, filter)) return null;
  const inShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const plan = convPlan(deps.dnnl, "backwardData", convGeometryOf(info));
  const out = backend.makeOutput([...inShape], "float32");
  if (size(inShape) === 0) return out;
  const heap = new Heap(backend);
  if (size(dy.shape) === 0) heap.f32(out).fill(0);
  else plan.run(heap.ptr(out), heap.ptr(filter), heap.ptr(dy));
  return out;
}

function conv2dBackpropFilter(deps: KernelDeps, args: Args): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  if (!deps.dnnl || !x || !dy || !nhwc(attrs) || !allF32(x, dy)) return null;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const plan = convPlan(deps.dnnl, "backwardWeights", convGeometryOf(info));
  const out = backend.makeOutput([...filterShape], "float32");
  if (size(filterShape) === 0) return out;
  const heap = new Heap(backend);
  if (size(x.shape) === 0 || size(dy.shape) === 0) heap.f32(out).fill(0);
  else plan.run(heap.ptr(x), heap.ptr(out), heap.ptr(dy));
  return out;
}

function poolGeometry(info: tf.backend_util.Conv2DInfo): PoolGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    channels: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function poolInfo(shape: number[], attrs: NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
}

function pool(deps: KernelDeps, args: Args, kind: PoolKind): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  if (!deps.dnnl) return null;
  if (kind === "avgForward" || kind === "maxForward") {
    const { x } = inputs;
    if (!x || x.shape.length !== 4 || !allF32(x)) return null;
    const info = poolInfo(x.shape, attrs);
    const plan = poolPlan(deps.dnnl, kind, poolGeometry(info));
    const out = backend.makeOutput(info.outShape, "float32");
    if (size(info.outShape) === 0) return out;
    const heap = new Heap(backend);
    plan.forward(heap.ptr(x), heap.ptr(out));
    return out;
  }
  const { dy, input } = inputs;
  if (!dy || !input || input.shape.length !== 4 || !allF32(dy, input)) return null;
  const info = poolInfo(input.shape, attrs);
  const plan = poolPlan(deps.dnnl, kind, poolGeometry(info));
  const out = backend.makeOutput([...input.shape], "float32");
  if (size(input.shape) === 0) return out;
  const heap = new Heap(backend);
  if (size(dy.shape) === 0) heap.f32(out).fill(0);
  else plan.backward(heap.ptr(out), heap.ptr(dy), heap.ptr(input));
  return out;
}

function bnForward(deps: KernelDeps, args: Args): TensorInfo[] | null {
  const { inputs, backend, attrs } = args;
  const { x, gamma, beta } = inputs;
  if (!deps.dnnl || !x || !gamma || !beta || !allF32(x, gamma, beta)) return null;
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const plan = batchNormPlan(deps.dnnl, m, c, attrs.eps as number, !!attrs.relu);
  const y = backend.makeOutput([...x.shape], "float32");
  const mean = backend.makeOutput([c], "float32");
  const variance = backend.makeOutput([c], "float32");
  const ws = backend.makeOutput([Math.max(1, Math.ceil(plan.workspaceBytes / 4))], "int32");
  if (m * c > 0) {
    const h = new Heap(backend);
    plan.forward(
      h.ptr(x),
      h.ptr(y),
      h.f32(mean),
      h.f32(variance),
      h.ptr(gamma),
      h.ptr(beta),
      h.ptr(ws),
    );
  }
  return [y, mean, variance, ws];
}

function bnBackward(deps: KernelDeps, args: Args): TensorInfo[] | null {
  const { inputs, backend, attrs } = args;
  const { dy, x, mean, variance, gamma, workspace } = inputs;
  if (!deps.dnnl || !dy || !x || !mean || !variance || !gamma || !workspace) return null;
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const plan = batchNormPlan(deps.dnnl, m, c, attrs.eps as number, !!attrs.relu);
  const dx = backend.makeOutput([...x.shape], "float32");
  const dgamma = backend.makeOutput([c], "float32");
  const dbeta = backend.makeOutput([c], "float32");
  if (m * c > 0) {
    const h = new Heap(backend);
    plan.backward(
      h.ptr(x),
      h.ptr(mean),
      h.ptr(variance),
      h.ptr(dy),
      h.ptr(gamma),
      h.ptr(dx),
      h.ptr(dgamma),
      h.ptr(dbeta),
      h.ptr(workspace),
    );
  }
  return [dx, dgamma, dbeta];
}

/** Element-wise activations applied in JavaScript after a matrix product. */
function activate(v: Float32Array, activation: string, alpha: number): boolean {
  switch (activation) {
    case "linear":
      return true;
    case "relu":
      for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0;
      return true;
    case "relu6":
      for (let i = 0; i < v.length; i++) v[i] = v[i] < 0 ? 0 : v[i] > 6 ? 6 : v[i];
      return true;
    case "leakyrelu":
      for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] *= alpha;
      return true;
    case "elu":
      for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = Math.expm1(v[i]);
      return true;
    case "sigmoid":
      for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
      return true;
    default:
      return false;
  }
}

function batchMatMul(deps: KernelDeps, args: Args, fused: boolean): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs;
  if (!a || !b || !allF32(a, b, bias) || preluActivationWeights) return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const transposeA = !!attrs.transposeA, transposeB = !!attrs.transposeB;
  const activation = fused ? (attrs.activation as string) ?? "linear" : "linear";
  if (!activate(new Float32Array(0), activation, 0)) return null;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== k2) return null;
  const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  if (bias && size(bias.shape) !== n && size(bias.shape) !== 1) return null;
  const out = backend.makeOutput([...outBatch, m, n], "float32");
  const batches = size(outBatch);
  if (batches * m * n === 0) return out;
  const heap = new Heap(backend);
  const outV = heap.f32(out);
  if (k === 0) outV.fill(0);
  else {
    const aBase = BigInt(Deno.UnsafePointer.value(heap.ptr(a)));
    const bBase = BigInt(Deno.UnsafePointer.value(heap.ptr(b)));
    const cBase = BigInt(Deno.UnsafePointer.value(heap.ptr(out)));
    const aIndex = broadcastIndex(outBatch, aBatch), bIndex = broadcastIndex(outBatch, bBatch);
    for (let i = 0; i < batches; i++) {
      deps.gemm.sgemm(
        transposeA,
        transposeB,
        m,
        n,
        k,
        1,
        Deno.UnsafePointer.create(aBase + BigInt(aIndex(i) * m * k * 4)),
        transposeA ? m : k,
        Deno.UnsafePointer.create(bBase + BigInt(bIndex(i) * k * n * 4)),
        transposeB ? k : n,
        0,
        Deno.UnsafePointer.create(cBase + BigInt(i * m * n * 4)),
        n,
      );
    }
  }
  if (bias) {
    const bv = heap.f32(bias);
    if (bv.length === 1) { for (let i = 0; i < outV.length; i++) outV[i] += bv[0]; }
    else {
      for (let r = 0; r < outV.length; r += n) for (let j = 0; j < n; j++) outV[r + j] += bv[j];
    }
  }
  activate(outV, activation, (attrs.leakyreluAlpha as number | undefined) ?? 0.2);
  return out;
}

/** Maps a flat index over the broadcast batch shape `out` to one over `own` (rank <= out's). */
function broadcastIndex(out: number[], own: number[]): (i: number) => number {
  if (size(own) === size(out)) return (i) => i;
  if (size(own) === 1) return () => 0;
  const pad = out.length - own.length;
  return (i) => {
    let idx = 0, stride = 1;
    for (let d = out.length - 1; d >= 0; d--) {
      const coord = i % out[d];
      i = Math.floor(i / out[d]);
      if (d >= pad) {
        const dim = own[d - pad];
        idx += (dim === 1 ? 0 : coord) * stride;
        stride *= dim;
      }
    }
    return idx;
  };
}

type Impl = (deps: KernelDeps, args: Args) => TensorInfo | TensorInfo[] | null;

const IMPLS: Record<string, { impl: Impl; needsDnnl: boolean }> = {
  Conv2D: { impl: (d, a) => conv2d(d, a, false), needsDnnl: true },
  FusedConv2D: { impl: (d, a) => conv2d(d, a, true), needsDnnl: true },
  Conv2DBackpropInput: { impl: conv2dBackpropInput, needsDnnl: true },
  Conv2DBackpropFilter: { impl: conv2dBackpropFilter, needsDnnl: true },
  BatchMatMul: { impl: (d, a) => batchMatMul(d, a, false), needsDnnl: false },
  _FusedMatMul: { impl: (d, a) => batchMatMul(d, a, true), needsDnnl: false },
  AvgPool: { impl: (d, a) => pool(d, a, "avgForward"), needsDnnl: true },
  AvgPoolGrad: { impl: (d, a) => pool(d, a, "avgBackward"), needsDnnl: true },
  MaxPool: { impl: (d, a) => pool(d, a, "maxForward"), needsDnnl: true },
  MaxPoolGrad: { impl: (d, a) => pool(d, a, "maxBackward"), needsDnnl: true },
  // The project's own kernels (no wasm counterpart): see batch_norm.ts.
  NativeBatchNormForward: { impl: bnForward, needsDnnl: true },
  NativeBatchNormBackward: { impl: bnBackward, needsDnnl: true },
};

/** Registers the native kernels for `wasm`; returns their names. Safe to call again. */
export function registerNativeKernels(deps: KernelDeps): string[] {
  const names: string[] = [];
  for (const [name, { impl, needsDnnl }] of Object.entries(IMPLS)) {
    if (needsDnnl && !deps.dnnl) continue;
    const previous = tf.getKernel(name, "wasm") as KernelConfig & { native?: boolean } | undefined;
    if (previous?.native) {
      names.push(name);
      continue;
    }
    const fallback = previous?.kernelFunc;
    const kernelFunc = ((args: Args) => {
      const out = !fallback || nativeKernelEnabled(name) ? impl(deps, args) : null;
      if (out) return out;
      if (!fallback) throw new Error(`${name}: no wasm kernel for this case`);
      return (fallback as unknown as (a: Args) => TensorInfo | TensorInfo[])(args);
    }) as unknown as KernelFunc;
    if (previous) tf.unregisterKernel(name, "wasm");
    tf.registerKernel(
      {
        kernelName: name,
        backendName: "wasm",
        kernelFunc,
        setupFunc: previous?.setupFunc,
        disposeFunc: previous?.disposeFunc,
        native: true,
      } as KernelConfig,
    );
    names.push(name);
  }
  return names;
}
