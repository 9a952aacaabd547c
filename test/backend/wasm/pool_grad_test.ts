import * as tf from "@tensorflow/tfjs";
import { assertClose, on, rand } from "./_compare.ts";

const cases: [number, number, "same" | "valid", number[]][] = [
  [3, 2, "same", [2, 9, 8, 3]],
  [3, 2, "valid", [1, 9, 9, 2]],
  [2, 2, "valid", [2, 8, 7, 4]],
  [3, 1, "same", [1, 5, 6, 3]],
  [7, 7, "valid", [3, 7, 7, 5]], // global average pool
  [2, 1, "valid", [1, 4, 5, 2]],
];
for (const [k, s, pad, shape] of cases) {
  for (const relu of [false, true]) {
    const label = `${k}x${k}/${s} ${pad} ${shape}${relu ? " after relu (ties at 0)" : ""}`;
    const x = () => relu ? tf.relu(rand(shape, 7)) : rand(shape, 7);
    Deno.test(`MaxPool gradient matches cpu: ${label}`, async () => {
      const f = () =>
        tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, k, s, pad), rand([1], 3)))
        )(x());
      assertClose(await on("wasm", f), await on("cpu", f), 1e-5, label);
    });
    Deno.test(`AvgPool gradient matches cpu: ${label}`, async () => {
      const f = () =>
        tf.grad((t: tf.Tensor) => {
          const y = tf.avgPool(t as tf.Tensor4D, k, s, pad);
          return tf.sum(tf.mul(y, rand(y.shape, 3)));
        })(x());
      assertClose(await on("wasm", f), await on("cpu", f), 1e-5, label);
    });
  }
}
