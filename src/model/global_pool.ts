/** Global average pooling NHWC -> [N, C] (an average pool over the whole map: fast gradient). */
import * as tf from "@tensorflow/tfjs";

/** Mean over height and width. */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  if (h === 1 && w === 1) return tf.reshape(x, [n, c]);
  return tf.reshape(tf.avgPool(x, [h, w], [h, w], "valid"), [n, c]);
}
