/**
 * `Sum` and `Mean` for the `wasm` backend when the reduced axes are the leading ones (after
 * merging): over `[0, 1, 2]` of NHWC, per-channel sums of a batch-norm gradient. The stock
 * kernels transpose the reduced axes to the end first (a full strided copy) and then reduce;
 * here the tensor is read once as `[M, C]` and accumulated per column in float64. Other
 * reductions go to the stock kernels.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alloc, f32, type Info } from "./heap.ts";
import { stock } from "./stock.ts";

/** `[m, c]` when reducing `axes` of `shape` is a reduction over its first axes, else null. */
export function leadingSplit(shape: number[], axes: number[]): [number, number] | null {
  const rank = shape.length;
  const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  // Size-1 axes can be treated as reduced or kept, whichever makes the split leading.
  let k = 0;
  while (k < rank && (set.has(k) || shape[k] === 1)) k++;
  for (let d = k; d < rank; d++) if (set.has(d) && shape[d] !== 1) return null;
  if (k === 0 || k === rank) return null;
  const m = shape.slice(0, k).reduce((a, b) => a * b, 1);
  const c = shape.slice(k).reduce((a, b) => a * b, 1);
  return [m, c];
}

function reduceLeading(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
  name: string,
  mean: boolean,
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const split = x.dtype === "float32" ? leadingSplit(x.shape, axes) : null;
  if (!split) return stock(backend, name, args.inputs as Record<string, Info>, args.attrs);
  const [m, c] = split;
  const rank = x.shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const outShape = keepDims
    ? x.shape.map((s, d) => (reduced.has(d) ? 1 : s))
    : x.shape.filter((_, d) => !reduced.has(d));
  const out = alloc(backend, outShape);
  const xv = f32(backend, x), ov = f32(backend, out);
  const acc = new Float64Array(c);
  for (let i = 0, off = 0; i < m; i++, off += c) {
    for (let j = 0; j < c; j++) acc[j] += xv[off + j];
  }
  if (mean) { for (let j = 0; j < c; j++) acc[j] /= m; }
  ov.set(acc);
  return out;
}

/** Kernel function of `Sum` (leading-axis float32 reductions; others: stock). */
export function sum(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  return reduceLeading(args, tf.Sum, false);
}

/** Kernel function of `Mean` (leading-axis float32 reductions; others: stock). */
export function mean(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  return reduceLeading(args, tf.Mean, true);
}

/** Registration record for {@link sum}. */
export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: "wasm",
  kernelFunc: sum as unknown as tf.KernelFunc,
};

/** Registration record for {@link mean}. */
export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: "wasm",
  kernelFunc: mean as unknown as tf.KernelFunc,
};
