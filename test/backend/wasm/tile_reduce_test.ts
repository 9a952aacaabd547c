import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { leadingSplit } from "../../../src/backend/wasm/reduce_leading.ts";
import { assertClose, on, rand } from "./_compare.ts";

const tiles: [number[], number[]][] = [
  [[1, 1, 1, 5], [4, 3, 2, 1]],
  [[2, 3], [3, 2]],
  [[3, 1], [1, 7]],
  [[2, 1, 3], [2, 4, 1]],
  [[5], [3]],
  [[2, 2, 2, 2], [1, 1, 1, 1]],
];
for (const [shape, reps] of tiles) {
  Deno.test(`Tile matches cpu: [${shape}] x [${reps}] (float32, int32, bool)`, async () => {
    const f = () => {
      const x = rand(shape, 3);
      return [
        tf.tile(x, reps),
        tf.tile(tf.cast(tf.mul(x, 10), "int32"), reps).toFloat(),
        tf.tile(tf.greater(x, 0), reps).toFloat(),
      ];
    };
    assertClose(await on("wasm", f), await on("cpu", f), 1e-6, `tile ${shape} ${reps}`);
  });
}

const reductions: [number[], number[], boolean][] = [
  [[4, 3, 5, 6], [0, 1, 2], false],
  [[4, 3, 5, 6], [0, 1, 2], true],
  [[7, 5], [0], false],
  [[4, 1, 3], [0], true],
  [[2, 3, 4], [-3, -2], false],
  [[2, 3, 4], [1, 2], false], // trailing: stock path
  [[2, 3, 4], [0, 2], true], // mixed: stock path
  [[3, 4], [0, 1], false], // everything: stock path
];
for (const [shape, axes, keep] of reductions) {
  Deno.test(`Sum and Mean match cpu: [${shape}] over [${axes}] keepDims=${keep}`, async () => {
    const f = () => {
      const x = rand(shape, 4);
      return [tf.sum(x, axes, keep), tf.mean(x, axes, keep)];
    };
    assertClose(await on("wasm", f), await on("cpu", f), 1e-5, `reduce ${shape} ${axes}`);
  });
}

Deno.test("leadingSplit recognises leading reductions (size-1 axes either way)", () => {
  assert.deepEqual(leadingSplit([4, 3, 5, 6], [0, 1, 2]), [60, 6]);
  assert.deepEqual(leadingSplit([4, 1, 3], [0]), [4, 3]);
  assert.deepEqual(leadingSplit([1, 5, 3], [1]), [5, 3]);
  assert.equal(leadingSplit([2, 3, 4], [1]), null);
  assert.equal(leadingSplit([2, 3], [0, 1]), null);
});
