import assert from "node:assert/strict";
import { openLibraries } from "../../../src/backend/native/ffi.ts";
import { blasGemm, dnnlGemm, type Gemm } from "../../../src/backend/native/gemm.ts";
import { available, random, relError, skipReason } from "./_harness.ts";

const why = available ? "" : ` (skipped: ${skipReason})`;

/** Row-major reference product op(A) op(B), in float64 (kept in float64 when `wide`). */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  wide = false,
) {
  const c = wide ? new Float64Array(m * n) : new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      }
      c[i * n + j] = s;
    }
  }
  return c;
}

Deno.test({
  name: `OpenBLAS and oneDNN sgemm agree with a reference for every transpose${why}`,
  ignore: !available,
  fn() {
    const libs = openLibraries();
    const gemms: Gemm[] = [];
    if (libs.blas) gemms.push(blasGemm(libs.blas));
    else console.log("  (OpenBLAS not loaded: only oneDNN's sgemm checked)");
    if (libs.dnnl) gemms.push(dnnlGemm(libs.dnnl));
    const ptr = (x: Float32Array) => Deno.UnsafePointer.of(x as Float32Array<ArrayBuffer>);
    for (const [m, n, k] of [[1, 1, 1], [7, 5, 3], [33, 17, 65], [64, 128, 96]]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = random(m * k, m + 3 * k), b = random(k * n, n + 7 * k);
          const want = reference(a, b, m, n, k, ta, tb);
          for (const g of gemms) {
            const c = new Float32Array(m * n).fill(NaN);
            g.sgemm(ta, tb, m, n, k, 1, ptr(a), ta ? m : k, ptr(b), tb ? k : n, 0, ptr(c), n);
            const err = relError(c, want);
            assert.ok(err < 1e-5, `${g.name} ${m}x${n}x${k} ${ta}/${tb}: relative error ${err}`);
          }
        }
      }
    }
  },
});

Deno.test({
  name: `oneDNN sgemm stays at float32 rounding on long matrix-vector products${why}`,
  ignore: !available || !openLibraries().dnnl,
  fn() {
    // Batch-norm channel sums are [1, M] x [M, C] products. oneDNN 2.6 adds their k terms in
    // sequence: the [1, 65536] x [65536, 16] product below came out 1.5e-6 off (relative L2),
    // now 2e-8 to 5.4e-8 for every transpose and shape here.
    const g = dnnlGemm(openLibraries().dnnl!);
    const ptr = (x: Float32Array) => Deno.UnsafePointer.of(x as Float32Array<ArrayBuffer>);
    const k = 65536, w = 16;
    const a = random(w * k, 5).map((v) => v + 1), b = random(k * w, 6).map((v) => v + 0.5);
    for (const [m, n] of [[1, w], [w, 1]]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const beta of [0, 0.5]) {
            const c0 = random(m * n, 7);
            const want = Float64Array.from(
              reference(a, b, m, n, k, ta, tb, true),
              (v, i) => v + beta * c0[i],
            );
            const c = Float32Array.from(c0);
            g.sgemm(ta, tb, m, n, k, 1, ptr(a), ta ? m : k, ptr(b), tb ? k : n, beta, ptr(c), n);
            let d = 0, s = 0;
            for (let i = 0; i < c.length; i++) {
              d += (c[i] - want[i]) ** 2;
              s += want[i] ** 2;
            }
            const err = Math.sqrt(d / s);
            assert.ok(err < 3e-7, `[${m}, ${k}] x [${k}, ${n}] ${ta}/${tb} beta ${beta}: ${err}`);
          }
        }
      }
    }
  },
});
