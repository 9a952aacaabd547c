/**
 * Softmax cross-entropy of class logits against integer labels, the loss of the online linear
 * classifier and of fine-tuning. Labels come from the host (`Batch.labels`), so which rows are
 * labelled, and how many, is known without reading anything back from the device.
 */
import * as tf from "@tensorflow/tfjs";

/** Cross-entropy over the labelled rows of a batch, and how many of them the logits get right. */
export interface ClassificationLoss {
  /** Sum of the per-row cross-entropies over the labelled rows (scalar). */
  lossSum: tf.Scalar;
  /** Labelled rows whose largest logit is their label (scalar; carries no gradient). */
  correct: tf.Scalar;
  /** Labelled rows (those with a label >= 0). */
  labelled: number;
}

/**
 * Throws a `RangeError` naming the sample when a label is not `-1` (unknown) or a class index
 * below `numClasses`.
 */
export function checkLabels(
  labels: ArrayLike<number>,
  numClasses: number,
  keys: readonly string[],
): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= -1 && y < numClasses)) {
      throw new RangeError(
        `sample '${keys[i] ?? i}' has label ${y}, outside 0..${numClasses - 1} (-1: unknown): ` +
          `the dataset's labels do not match its ${numClasses} classes`,
      );
    }
  }
}

/**
 * Softmax cross-entropy of `logits` (`[N, K]`) against `labels` (N class indices, `-1` for an
 * unknown label, which the row's loss and count leave out). Differentiable in `logits`.
 */
export function classificationLoss(
  logits: tf.Tensor2D,
  labels: Int32Array,
): ClassificationLoss {
  const [n, k] = logits.shape;
  if (labels.length !== n) {
    throw new TypeError(`classificationLoss: ${labels.length} labels for ${n} rows of logits`);
  }
  const targets = new Int32Array(n);
  const mask = new Float32Array(n);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] >= 0) {
      targets[i] = labels[i];
      mask[i] = 1;
      labelled++;
    }
  }
  let correct!: tf.Scalar;
  const lossSum = tf.tidy(() => {
    const y = tf.tensor1d(targets, "int32");
    const m = tf.tensor1d(mask);
    // int32 one-hot then cast: the wasm backend's OneHot writes wrong bits for float32 output.
    const oneHot = tf.cast(tf.oneHot(y, k), "float32");
    const perRow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
    correct = tf.keep(tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(logits, 1), y), "float32"), m)));
    return tf.sum(tf.mul(perRow, m)) as tf.Scalar;
  });
  return { lossSum, correct, labelled };
}
