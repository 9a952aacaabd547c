import assert from "node:assert/strict";
import { openLibraries } from "../../../src/backend/native/ffi.ts";
import { blasGemm, dnnlGemm, type Gemm } from "../../../src/backend/native/gemm.ts";
import { available, random, relError, skipReason } from "./_harness.ts";

const why = available ? "" : ` (skipped: ${skipReason})`;

/** Row-major reference product op(A) op(B), in float64. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
) {
  const c = new Float32Array(m * n);
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
