/**
 * `relu(a + b)`, the end of a residual block, with a gradient that keeps only a zero-copy alias
 * of its output (the stock Add and Relu gradients save copies of their inputs on wasm) and
 * frees it and the incoming gradient as soon as it has run.
 */
import * as tf from "@tensorflow/tfjs";

/** `relu(a + b)` for same-shaped `a` and `b`; `retain`: see `ForwardContext.retain`. */
export function addRelu(a: tf.Tensor, b: tf.Tensor, retain?: tf.Tensor[]): tf.Tensor {
  if (a.shape.join(",") !== b.shape.join(",")) {
    throw new TypeError(`addRelu: shapes [${a.shape}] and [${b.shape}] differ (no broadcasting)`);
  }
  let alias: tf.Tensor | undefined;
  const op = tf.customGrad((aIn, bIn, save) => {
    const y = tf.relu(tf.add(aIn as tf.Tensor, bIn as tf.Tensor));
    if (retain) {
      alias = tf.keep(tf.reshape(y, y.shape));
      retain.push(alias);
    } else {
      (save as tf.GradSaveFunc)([y]);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, savedByEngine: tf.Tensor[]) => {
        const saved = alias ? [alias] : savedByEngine;
        const d = tf.mul(dy, tf.step(saved[0]));
        for (const t of saved) t.dispose();
        dy.dispose();
        // Two tensor objects sharing the data: each input's gradient is disposed on its own.
        return [d, tf.reshape(d, d.shape)];
      },
    };
  });
  return op(a, b);
}
