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

/** oneDNN's `dnnl_sgemm` (row-major by definition). */
export function dnnlGemm(dnnl: Dnnl): Gemm {
  return {
    name: "oneDNN sgemm",
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
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
    },
  };
}
