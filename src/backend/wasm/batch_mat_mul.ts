/**
 * `BatchMatMul` for the `wasm` backend with fast transposed operands.
 *
 * The stock kernel uses XNNPACK only when neither operand is transposed and there is one batch;
 * otherwise it falls back to a scalar loop (0.5-3 GFLOP/s). Dense-layer gradients
 * (`dy . W^T`, `x^T . dy`) and NT-Xent's `z . z^T` are exactly those transposed products.
 * Here a transposed operand is transposed explicitly (a blocked O(size) copy in the heap) and the
 * product runs on the untransposed XNNPACK path; batched products loop over the batch with
 * zero-copy aliases of each matrix.
 *
 * Products with at most {@link SMALL_ROWS} output rows (`ones[1, M] . X[M, C]`, the channel
 * sums of a batch-norm gradient) run as a JavaScript loop on the heap: XNNPACK would repack
 * the whole right operand for a product that reads it only once (3-5x slower).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alias, alloc, f32, free, freeAlias, type Info } from "./heap.ts";
import { stock } from "./stock.ts";
import { transpose2d } from "./transpose.ts";

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Up to this many rows of `a . b`, the product runs as a heap loop, not through XNNPACK. */
export const SMALL_ROWS = 2;

/**
 * `out[i, j] = sum_k a[i, k] b[k, j]` for a few rows, in float64, reading both operands where
 * they lie (`ta`, `tb`: stored transposed).
 */
function smallProduct(
  backend: BackendWasm,
  a: Info,
  b: Info,
  ta: boolean,
  tb: boolean,
  m: number,
  k: number,
  n: number,
  outShape: number[],
): Info {
  const out = alloc(backend, outShape);
  const av = f32(backend, a), bv = f32(backend, b), ov = f32(backend, out);
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    if (tb) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0, ai = ta ? i : i * k, bj = j * k; q < k; q++, ai += ta ? m : 1, bj++) {
          s += av[ai] * bv[bj];
        }
        acc[j] = s;
      }
    } else {
      for (let q = 0, off = 0; q < k; q++, off += n) {
        const s = av[ta ? q * m + i : i * k + q];
        if (s === 0) continue;
        for (let j = 0; j < n; j++) acc[j] += s * bv[off + j];
      }
    }
    ov.set(acc, i * n);
  }
  return out;
}

/** `a . b` of two 2-D aliases/tensors, transposing either first when asked. */
function product2d(backend: BackendWasm, a: Info, b: Info, ta: boolean, tb: boolean): Info {
  const at = ta ? transpose2d(backend, a, a.shape[0], a.shape[1]) : a;
  const bt = tb ? transpose2d(backend, b, b.shape[0], b.shape[1]) : b;
  const out = stock(backend, tf.BatchMatMul, { a: at, b: bt }, {
    transposeA: false,
    transposeB: false,
  });
  if (ta) free(backend, at);
  if (tb) free(backend, bt);
  return out;
}

/** Kernel function of `BatchMatMul` (float32; other dtypes go to the stock kernel). */
export function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { a, b } = args.inputs as { a: Info; b: Info };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const ta = !!transposeA, tb = !!transposeB;
  const batchA = size(a.shape.slice(0, -2)), batchB = size(b.shape.slice(0, -2));
  const simpleBatch = batchA === batchB || batchA === 1 || batchB === 1;
  const [aRows, aCols] = a.shape.slice(-2), [bRows, bCols] = b.shape.slice(-2);
  const m = ta ? aCols : aRows, k = ta ? aRows : aCols;
  const unbatched = batchA === 1 && batchB === 1;
  if (
    a.dtype !== "float32" || b.dtype !== "float32" || !simpleBatch ||
    (!ta && !tb && unbatched && m > SMALL_ROWS)
  ) {
    return stock(backend, tf.BatchMatMul, args.inputs as Record<string, Info>, args.attrs);
  }
  const n = tb ? bRows : bCols, kb = tb ? bCols : bRows;
  if (k !== kb) {
    throw new TypeError(
      `matMul: inner shapes ${k} and ${kb} of ${a.shape} and ${b.shape} ` +
        `(transposeA=${ta}, transposeB=${tb}) must match`,
    );
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
  );
  const outShape = [...outer, m, n];
  const batch = Math.max(batchA, batchB);
  if (batch === 1 && m <= SMALL_ROWS) return smallProduct(backend, a, b, ta, tb, m, k, n, outShape);
  if (batch === 1) {
    const a2 = alias(backend, a, 0, [aRows, aCols]);
    const b2 = alias(backend, b, 0, [bRows, bCols]);
    const out = product2d(backend, a2, b2, ta, tb);
    freeAlias(backend, a2);
    freeAlias(backend, b2);
    return { ...out, shape: outShape };
  }
  const out = alloc(backend, outShape);
  const aSize = aRows * aCols, bSize = bRows * bCols;
  for (let i = 0; i < batch; i++) {
    const ai = alias(backend, a, batchA === 1 ? 0 : i * aSize, [aRows, aCols]);
    const bi = alias(backend, b, batchB === 1 ? 0 : i * bSize, [bRows, bCols]);
    const part = product2d(backend, ai, bi, ta, tb);
    freeAlias(backend, ai);
    freeAlias(backend, bi);
    f32(backend, out).set(f32(backend, part), i * m * n);
    free(backend, part);
  }
  return out;
}

/** Registration record for {@link batchMatMul}. */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
