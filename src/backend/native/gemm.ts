/**
 * Row-major single-precision matrix products, `C = alpha * op(A) op(B) + beta * C`, from
 * either OpenBLAS (`cblas_sgemm`) or oneDNN (`dnnl_sgemm`). Both take transposed operands at
 * full speed.
 */
import type { Blas, Dnnl } from "./ffi.ts";

/** A row-major sgemm. */
export interface Gemm {
  readonly name: string;
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Deno.PointerValue,
    lda: number,
    b: Deno.PointerValue,
    ldb: number,
    beta: number,
    c: Deno.PointerValue,
    ldc: number,
  ): void;
}

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
const N = "N".charCodeAt(0), T = "T".charCodeAt(0);

/** OpenBLAS's `cblas_sgemm`. */
export function blasGemm(blas: Blas): Gemm {
  return {
    name: "OpenBLAS sgemm",
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      blas.cblas_sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
  };
}

/**
 * Longest inner dimension oneDNN gets in one call when the product is a matrix-vector one.
 * There its sgemm (2.6) adds the k terms one after another in float32, into `c` itself, so the
 * error grows with k: a [1, 65536] x [65536, 64] product of values around 1 came out 3.4e-6
 * off (relative L2; 9.5e-6 at k = 524288; float32 products summed in sequence: 3.3e-6), against
 * 1.7e-7 with 16 rows, where it blocks k. Batch-norm channel sums (`ones[1, M] x X[M, C]`) are
 * such products. So k is cut into slices whose products are summed in float64.
 */
const GEMV_K = 1024;

/** oneDNN's `dnnl_sgemm` (row-major by definition). */
export function dnnlGemm(dnnl: Dnnl): Gemm {
  const call: Gemm["sgemm"] = (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
    const st = dnnl.dnnl_sgemm(
      transA ? T : N,
      transB ? T : N,
      BigInt(m),
      BigInt(n),
      BigInt(k),
      alpha,
      a,
      BigInt(lda),
      b,
      BigInt(ldb),
      beta,
      c,
      BigInt(ldc),
    );
    if (st !== 0) throw new Error(`dnnl_sgemm failed (${st})`);
  };
  let scratch = new Float32Array(0);
  return {
    name: "oneDNN sgemm",
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if ((m > 1 && n > 1) || k <= GEMV_K || !a || !b || !c) {
        call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
      }
      // A vector of m * n results, at stride 1 in c (one row) or ldc (one column).
      const len = m * n, stride = m === 1 ? 1 : ldc, slices = Math.ceil(k / GEMV_K);
      if (scratch.length < len * slices) scratch = new Float32Array(len * slices);
      const part = Deno.UnsafePointer.of(scratch);
      for (let s = 0; s < slices; s++) {
        const p = s * GEMV_K;
        call(
          transA,
          transB,
          m,
          n,
          Math.min(GEMV_K, k - p),
          alpha,
          Deno.UnsafePointer.offset(a, 4 * (transA ? p * lda : p)),
          lda,
          Deno.UnsafePointer.offset(b, 4 * (transB ? p : p * ldb)),
          ldb,
          0,
          Deno.UnsafePointer.offset(part!, 4 * s * len),
          n,
        );
      }
      const out = new Float32Array(
        Deno.UnsafePointerView.getArrayBuffer(c, 4 * ((len - 1) * stride + 1)),
      );
      for (let e = 0; e < len; e++) {
        let sum = beta === 0 ? 0 : beta * out[e * stride];
        for (let s = 0; s < slices; s++) sum += scratch[s * len + e];
        out[e * stride] = sum;
      }
    },
  };
}
