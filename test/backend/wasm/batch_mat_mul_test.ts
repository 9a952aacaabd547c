import * as tf from "@tensorflow/tfjs";
import { assertClose, on, rand } from "./_compare.ts";

const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [1, 33, 17], b: [1, 9, 17], ta: false, tb: true },
  { a: [4, 6, 5], b: [4, 6, 3], ta: true, tb: false },
  { a: [4, 5, 6], b: [4, 6, 3], ta: false, tb: false },
  { a: [2, 3, 5, 6], b: [1, 1, 3, 6], ta: false, tb: true },
  { a: [1, 6, 5], b: [3, 6, 2], ta: true, tb: false },
  // Few-row products (batch-norm channel sums) take the heap-loop path.
  { a: [1, 300], b: [300, 7], ta: false, tb: false },
  { a: [300, 1], b: [300, 7], ta: true, tb: false },
  { a: [2, 300], b: [7, 300], ta: false, tb: true },
  { a: [300, 2], b: [7, 300], ta: true, tb: true },
  { a: [1, 1, 40], b: [1, 40, 3], ta: false, tb: false },
];

for (const c of cases) {
  const label = `${c.a}${c.ta ? "^T" : ""} . ${c.b}${c.tb ? "^T" : ""}`;
  Deno.test(`BatchMatMul matches cpu: ${label}`, async () => {
    const f = () =>
      tf.engine().runKernel(tf.BatchMatMul, { a: rand(c.a, 5), b: rand(c.b, 6) }, {
        transposeA: c.ta,
        transposeB: c.tb,
      }) as tf.Tensor;
    assertClose(await on("wasm", f), await on("cpu", f), 1e-5, label);
  });
}
