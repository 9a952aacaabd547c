import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { addRelu } from "../../src/model/add_relu.ts";
import { conv2dFreeingGradients } from "../../src/model/conv.ts";

await tf.setBackend("cpu");

async function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string) {
  const x = await a.data();
  const y = await b.data();
  assert.equal(x.length, y.length, what);
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] - y[i]) <= tol, `${what}[${i}]: ${x[i]} vs ${y[i]}`);
  }
}

for (const retainMode of [false, true]) {
  Deno.test(`conv2dFreeingGradients (${retainMode ? "aliases" : "engine saves"}): value and gradients equal tf.conv2d's, for stride 1 and 2`, async () => {
    const x = tf.randomNormal([2, 7, 7, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 2) as tf.Tensor4D;
    for (const [stride, pad] of [[1, 1], [2, 1], [2, "valid"]] as const) {
      const retain: tf.Tensor[] = [];
      const dy = tf.randomNormal(tf.conv2d(x, w, stride, pad).shape, 0, 1, "float32", 3);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            conv2dFreeingGradients(
              a as tf.Tensor4D,
              b as tf.Tensor4D,
              stride,
              pad,
              retainMode ? retain : undefined,
            ),
            dy,
          ),
        )
      )([x, w]);
      const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy))
      )([x, w]);
      await close(ours[0], ref[0], 1e-4, `dx stride ${stride}`);
      await close(ours[1], ref[1], 1e-4, `dw stride ${stride}`);
      assert.ok(retain.every((t) => t.isDisposed), "aliases are freed by the gradient");
      tf.dispose([...ours, ...ref, dy]);
    }
    tf.dispose([x, w]);
  });

  Deno.test(`addRelu (${retainMode ? "aliases" : "engine saves"}): value and gradients equal relu(add)`, async () => {
    const a = tf.randomNormal([3, 4], 0, 1, "float32", 4);
    const b = tf.randomNormal([3, 4], 0, 1, "float32", 5);
    const dy = tf.randomNormal([3, 4], 0, 1, "float32", 6);
    const retain: tf.Tensor[] = [];
    const ours = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(addRelu(p, q, retainMode ? retain : undefined), dy))
    )([a, b]);
    const ref = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(p, q)), dy)))(
      [a, b],
    );
    await close(ours[0], ref[0], 1e-6, "da");
    await close(ours[1], ref[1], 1e-6, "db");
    tf.dispose([...ours, ...ref, a, b, dy]);
  });
}

Deno.test("addRelu: different shapes are refused", () => {
  assert.throws(() => addRelu(tf.zeros([2, 3]), tf.zeros([3])), /shapes \[2,3\] and \[3\] differ/);
});
