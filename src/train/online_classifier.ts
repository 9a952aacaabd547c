/**
 * The online linear classifier of SimCLR's code (`lineareval_while_pretraining`), of lightly and
 * solo-learn: a linear layer on the encoder's features `h`, trained during pretraining on the
 * labels of each batch, with its own optimizer, so its accuracy shows how linearly separable the
 * representation is as training goes, at the cost of one small matrix product per step.
 *
 * The features reach it as constants: it runs after the encoder's gradient tape (the stop
 * gradient of google's code), so the encoder's gradients are the same bits with or without it,
 * and the contrastive loss never sees a label. It trains on each batch's first views (google's
 * code uses both views' features; one view is the same signal at half the cost).
 */
import * as tf from "@tensorflow/tfjs";
import { Linear } from "../model/linear.ts";
import { ParamStore } from "../model/params.ts";
import type { Batch } from "./batch.ts";
import { checkLabels, classificationLoss } from "./cross_entropy.ts";
import { Lars } from "./lars.ts";
import type { Optimizer } from "./optimizer.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { MomentumSgd } from "./sgd.ts";

/**
 * Options of {@link OnlineClassifier}.
 *
 * @example LARS, as solo-learn
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { OnlineClassifier, type OnlineClassifierOptions } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const options: OnlineClassifierOptions = {
 *   featureDim: 4, numClasses: 2, learningRate: () => 0.1, optimizer: "lars", weightDecay: 1e-6,
 * };
 * const online = new OnlineClassifier(options);
 * assert.equal(online.optimizer.kind, "lars");
 * online.dispose();
 * ```
 */
export interface OnlineClassifierOptions {
  /** Length of the features `h`. */
  featureDim: number;
  /** Classes of the dataset (labels are `0 .. numClasses - 1`, `-1` unknown). */
  numClasses: number;
  /** Learning rate at optimizer step `step` (0-based), e.g. the pretraining schedule's. */
  learningRate: (step: number) => number;
  /**
   * `sgd` (default): momentum SGD, what google's LARS does to this head (it is excluded from
   * LARS's adaptation and weight decay, which is added as an L2 loss instead); `lars`: LARS
   * with adaptation, as solo-learn does.
   */
  optimizer?: "sgd" | "lars";
  /** Default 0.9. */
  momentum?: number;
  /** L2 weight decay on the weight (not the bias); default 0. */
  weightDecay?: number;
  /** LARS trust coefficient (default 0.001). */
  trustCoefficient?: number;
}

/**
 * What one micro-batch gives the online classifier's optimizer.
 *
 * @example One update of the classifier by hand
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { OnlineClassifier, type OnlineGradients } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const online = new OnlineClassifier({ featureDim: 2, numClasses: 2, learningRate: () => 0.5 });
 * const h = tf.tensor2d([[1, 0], [0, 1]]); // features of 2 first views
 * const g: OnlineGradients = online.gradients(h, { size: 2, labels: Int32Array.of(0, 1), keys: ["a", "b"] });
 * const [ceSum, correct, labelled] = await g.counts.data();
 * assert.ok(Math.abs(ceSum - 2 * Math.log(2)) < 1e-5); // zero weights: uniform predictions
 * assert.equal(labelled, 2);
 * online.apply(g.grads, 0); // its optimizer step
 * tf.dispose([h, g.counts, ...Object.values(g.grads)]);
 * online.dispose();
 * assert.ok(correct >= 0);
 * ```
 */
export interface OnlineGradients {
  /** Gradients of {@link OnlineClassifier.store}'s parameters, by name. */
  grads: NamedTensors;
  /** `[cross-entropy sum, correct, labelled rows]` (see `StepGradients.online`). */
  counts: tf.Tensor1D;
}

/**
 * A linear classifier on stop-gradient features with its own parameters (`online.weight`
 * `[featureDim, numClasses]`, `online.bias`; zeros at the start, as google's zero-initialized
 * logits layer) and its own optimizer.
 *
 * @example Pretraining with an online classifier
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, OnlineClassifier, type StepMetrics, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const online = new OnlineClassifier({
 *   featureDim: model.encoder.featureDim, numClasses: 2, learningRate: () => 0.1,
 * });
 * const metrics: StepMetrics[] = [];
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, online, logEvery: 1,
 *   onMetrics: (m) => { metrics.push(m); },
 * }));
 * // its loss and top-1 on each step's labelled first views, before its update
 * assert.ok(metrics.every((m) => Number.isFinite(m.onlineLoss) && m.onlineTop1! >= 0));
 * const { weights, bias } = await online.weights();
 * assert.deepEqual([weights.length, bias.length], [model.encoder.featureDim * 2, 2]);
 * online.dispose();
 * ```
 */
export class OnlineClassifier {
  /** The parameter names' prefix; model parameters never start with it. */
  static readonly PREFIX = "online.";
  /** Length of the features `h` it classifies. */
  readonly featureDim: number;
  /** Number of classes. */
  readonly numClasses: number;
  /** Its parameters (`online.weight`, `online.bias`), apart from the model's. */
  readonly store: ParamStore = new ParamStore(0);
  /** Its own optimizer (`sgd` or `lars`, see the options). */
  readonly optimizer: Optimizer;
  readonly #layer: Linear;
  readonly #lr: (step: number) => number;

  /** A zero-initialized classifier; throws `RangeError` for a bad `featureDim` or `numClasses`. */
  constructor(options: OnlineClassifierOptions) {
    const { featureDim, numClasses } = options;
    if (!(Number.isInteger(featureDim) && featureDim >= 1)) {
      throw new RangeError(`online classifier: featureDim ${featureDim} must be an integer >= 1`);
    }
    if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
      throw new RangeError(
        `online classifier: ${numClasses} classes; it needs a dataset with at least 2 classes`,
      );
    }
    this.featureDim = featureDim;
    this.numClasses = numClasses;
    this.#lr = options.learningRate;
    this.#layer = new Linear(this.store, "online", featureDim, numClasses, true, {
      kind: "constant",
      value: 0,
    });
    const common = { momentum: options.momentum ?? 0.9, weightDecay: options.weightDecay ?? 0 };
    this.optimizer = options.optimizer === "lars"
      ? new Lars({ ...common, trustCoefficient: options.trustCoefficient })
      : new MomentumSgd(common);
  }

  /**
   * Logits, loss and gradients of the head on the features of `batch`'s first views (the first
   * `batch.size` rows of `h`), as a separate tape over the head's parameters only: `h` is a
   * constant here. The loss is the mean cross-entropy over the labelled rows (`-1`: unknown).
   */
  gradients(h: tf.Tensor2D, batch: Pick<Batch, "size" | "labels" | "keys">): OnlineGradients {
    const n = batch.size;
    if (h.shape[1] !== this.featureDim || h.shape[0] < n) {
      throw new TypeError(
        `online classifier: features [${h.shape}] for ${n} first views of dimension ` +
          `${this.featureDim}`,
      );
    }
    const labels = batch.labels ?? new Int32Array(n).fill(-1);
    checkLabels(labels, this.numClasses, batch.keys);
    const params = this.store.trainable();
    const first = h.shape[0] === n ? h : tf.slice(h, [0, 0], [n, this.featureDim]);
    let correct!: tf.Scalar;
    let lossSum!: tf.Scalar;
    let labelled = 0;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const r = classificationLoss(this.#layer.apply(first), labels.subarray(0, n));
        correct = tf.keep(r.correct);
        lossSum = tf.keep(r.lossSum);
        labelled = r.labelled;
        return tf.div(r.lossSum, Math.max(1, r.labelled)) as tf.Scalar;
      }, params.map((p) => p.variable));
      value.dispose();
      const byName: NamedTensors = {};
      for (const p of params) byName[p.name] = grads[p.variable.name];
      const counts = tf.tidy(() =>
        tf.concat([tf.reshape(lossSum, [1]), tf.reshape(correct, [1]), tf.tensor1d([labelled])])
      ) as tf.Tensor1D;
      return { grads: byName, counts };
    } finally {
      correct?.dispose();
      lossSum?.dispose();
      if (first !== h) first.dispose();
    }
  }

  /** One update of the head with the step's gradients (the others in `grads` are ignored). */
  apply(grads: NamedTensors, step: number): void {
    this.optimizer.apply(this.store.trainable(), grads, this.#lr(step));
  }

  /** `[featureDim x numClasses]` weights and the bias, read asynchronously. */
  async weights(): Promise<{ weights: Float32Array; bias: Float32Array }> {
    const [w, b] = this.store.trainable();
    return {
      weights: await w.variable.data() as Float32Array,
      bias: await b.variable.data() as Float32Array,
    };
  }

  /** Frees the parameters and the optimizer's slots. */
  dispose(): void {
    this.optimizer.dispose();
    this.store.dispose();
  }
}
