/**
 * `Tile` for the `wasm` backend as block copies in the heap: the innermost axis is written by
 * `set`/`fill`, each outer axis is repeated with `copyWithin`. The stock kernel computes every
 * output element's source index (about 20 ms per call for the batch-norm gradient's tiles of
 * a small ResNet-50 step); this one runs at memory speed.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapBytes, type Info, offsetOf } from "./heap.ts";
import { stock } from "./stock.ts";

type Typed = Float32Array | Int32Array | Uint8Array;

function view(backend: BackendWasm, info: Info): Typed {
  const buf = heapBytes(backend).buffer;
  const off = offsetOf(backend, info);
  const n = info.shape.reduce((a, b) => a * b, 1);
  if (info.dtype === "float32") return new Float32Array(buf, off, n);
  if (info.dtype === "int32") return new Int32Array(buf, off, n);
  return new Uint8Array(buf, off, n);
}

/** Kernel function of `Tile` (float32, int32, bool; strings go to the stock kernel). */
export function tile(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (x.dtype === "string" || x.shape.length === 0) {
    return stock(backend, tf.Tile, args.inputs as Record<string, Info>, args.attrs);
  }
  const shape = x.shape;
  const rank = shape.length;
  const outShape = shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((s) => s === 0)) return out;
  const src = view(backend, x), dst = view(backend, out);
  // Element strides of the input and output.
  const inStride = new Array<number>(rank), outStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * shape[d + 1];
    outStride[d] = outStride[d + 1] * outShape[d + 1];
  }
  const last = rank - 1;
  const fill = (d: number, inOff: number, outOff: number): void => {
    if (d === last) {
      const n = shape[last];
      if (n === 1) {
        dst.fill(src[inOff], outOff, outOff + reps[last]);
      } else {
        const row = src.subarray(inOff, inOff + n);
        for (let r = 0; r < reps[last]; r++) dst.set(row, outOff + r * n);
      }
      return;
    }
    for (let i = 0; i < shape[d]; i++) {
      fill(d + 1, inOff + i * inStride[d], outOff + i * outStride[d]);
    }
    const block = shape[d] * outStride[d];
    for (let r = 1; r < reps[d]; r++) dst.copyWithin(outOff + r * block, outOff, outOff + block);
  };
  fill(0, 0, 0);
  return out;
}

/** Registration record for {@link tile}. */
export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: "wasm",
  kernelFunc: tile as unknown as tf.KernelFunc,
};
