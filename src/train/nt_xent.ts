/**
 * NT-Xent, SimCLR's contrastive loss: cosine similarity over temperature tau, self-similarity
 * masked, both directions (each of the 2N views is an anchor), mean over anchors (or google's
 * scale, see {@link NtXentReduction}); and the contrastive top-1 accuracy (the positive ranks
 * first among all candidates).
 *
 * For data-parallel training the candidates can be the projections of the global batch: pass
 * `gather`, which maps the local normalized projections `[2N, d]` to all ranks' projections
 * (gradient flowing back to the local part) and says where the local rows sit.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Candidate projections of the global batch (see {@link NtXentOptions.gather}).
 *
 * @example Extra negatives from a memory bank
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type GatheredCandidates, ntXentLoss } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[1, 0], [0, 1]]); // 1 pair: z1 = [1, 0], z2 = [0, 1]
 * const bank = tf.tensor2d([[0.6, 0.8]]); // one more (normalized) negative
 * const gather = (local: tf.Tensor2D): GatheredCandidates => ({
 *   candidates: tf.concat([local, bank]), // the local rows first: offset 0
 *   offset: 0,
 * });
 * const plain = ntXentLoss(z.slice([0, 0], [1, 2]), z.slice([1, 0], [1, 2]), 1);
 * const more = ntXentLoss(z.slice([0, 0], [1, 2]), z.slice([1, 0], [1, 2]), 1, { gather });
 * assert.ok((await more.loss.data())[0] > (await plain.loss.data())[0]); // a harder task
 * tf.dispose([z, bank, plain.loss, plain.accuracy, more.loss, more.accuracy]);
 * ```
 */
export interface GatheredCandidates {
  /** `[M, d]` L2-normalized projections of every rank; contains the local rows. */
  candidates: tf.Tensor2D;
  /** Row of the local `[z1; z2]` block's first row within `candidates`. */
  offset: number;
}

/**
 * How the per-anchor losses are reduced. `mean`: the mean over the 2N anchors (the SimCLR paper's
 * formula, lightly's and most PyTorch code's). `sum-of-directions`: google-research/simclr's
 * `add_contrastive_loss`, the mean over the N anchors of each view summed over the two
 * directions, `loss_a + loss_b`, exactly twice `mean`. The gradient doubles with it: under LARS
 * only the non-adapted parameters (biases, BN) feel it; under SGD/AdamW it acts as a 2x LR.
 *
 * @example Choosing the reduction from a setting
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { ntXentLoss, type NtXentReduction } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const reduction: NtXentReduction = "sum-of-directions";
 * const z = tf.tensor2d([[1, 0], [0, 1]]);
 * const { loss, accuracy } = ntXentLoss(z, z, 1, { reduction });
 * assert.ok(Math.abs((await loss.data())[0] - 2 * (Math.log(Math.E + 2) - 1)) < 1e-5);
 * tf.dispose([z, loss, accuracy]);
 * ```
 */
export type NtXentReduction = "mean" | "sum-of-directions";

/**
 * Options of {@link ntXentLoss}.
 *
 * @example google's scale is twice the mean
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { ntXentLoss, type NtXentOptions } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const z1 = tf.tensor2d([[1, 0], [0, 1]]);
 * const z2 = tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]);
 * const google: NtXentOptions = { reduction: "sum-of-directions" };
 * const a = ntXentLoss(z1, z2, 0.5);
 * const b = ntXentLoss(z1, z2, 0.5, google);
 * const [mean, sum] = [(await a.loss.data())[0], (await b.loss.data())[0]];
 * assert.ok(Math.abs(sum - 2 * mean) < 1e-6);
 * tf.dispose([z1, z2, a.loss, a.accuracy, b.loss, b.accuracy]);
 * ```
 */
export interface NtXentOptions {
  /** `mean` over the 2N anchors (default) or google's `sum-of-directions` (2x). */
  reduction?: NtXentReduction;
  /**
   * Maps the local normalized projections `[z1; z2]` (`[2N, d]`) to the candidates of the
   * global batch (an all-gather whose gradient returns the local slice). Default: the local
   * batch itself (offset 0).
   */
  gather?: (local: tf.Tensor2D) => GatheredCandidates;
}

/**
 * Loss and contrastive accuracy, both scalar tensors (read them with `await t.data()`; the
 * caller disposes them).
 *
 * @example Reading and freeing the result
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { ntXentLoss, type NtXentResult } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[1, 0], [0, 1]]);
 * const r: NtXentResult = ntXentLoss(z, z, 0.1);
 * assert.equal((await r.accuracy.data())[0], 1); // every positive ranks first
 * tf.dispose([z, r.loss, r.accuracy]);
 * ```
 */
export interface NtXentResult {
  /** The NT-Xent loss (see {@link NtXentOptions.reduction}). */
  loss: tf.Scalar;
  /** Share of anchors whose positive has the highest similarity. */
  accuracy: tf.Scalar;
}

const MASK = -1e9;

/**
 * NT-Xent of the pairs `(z1[i], z2[i])` at temperature `tau`. Numerically stable (log-sum-exp
 * with the row maximum subtracted) for small temperatures and large batches. Differentiable in
 * `z1` and `z2`; the accuracy carries no gradient.
 *
 * @param z1 first views' projections `[N, d]` (normalized here).
 * @param z2 second views' projections `[N, d]`, pair `i` being `(z1[i], z2[i])`.
 * @param temperature tau > 0.
 * @throws {TypeError} when `z1` and `z2` differ in shape.
 * @throws {RangeError} for a temperature <= 0 or an unknown reduction.
 *
 * @example Against the formula, on two orthogonal pairs
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { ntXentLoss } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * // z1 = z2 = [e1, e2]: each anchor sees its positive at similarity 1 and two others at 0
 * const z = tf.tensor2d([[1, 0], [0, 1]]);
 * const { loss, accuracy } = ntXentLoss(z, z, 1);
 * const expected = Math.log(Math.E + 2) - 1; // -log(e^1 / (e^1 + e^0 + e^0))
 * assert.ok(Math.abs((await loss.data())[0] - expected) < 1e-5);
 * assert.equal((await accuracy.data())[0], 1);
 * tf.dispose([z, loss, accuracy]);
 * ```
 */
export function ntXentLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  temperature: number,
  opts: NtXentOptions = {},
): NtXentResult {
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new TypeError(
      `ntXentLoss: z1 [${z1.shape}] and z2 [${z2.shape}] must have the same shape (pairs x dim)`,
    );
  }
  if (!(temperature > 0)) {
    throw new RangeError(`ntXentLoss: temperature must be > 0, got ${temperature}`);
  }
  const reduction = opts.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum-of-directions") {
    throw new RangeError(
      `ntXentLoss: reduction '${reduction}' must be mean or sum-of-directions`,
    );
  }
  const n = z1.shape[0];
  let accuracy!: tf.Scalar;
  const loss = tf.tidy(() => {
    const z = tf.concat([z1, z2], 0);
    const zn = tf.div(z, tf.sqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-24))) as tf.Tensor2D;
    const { candidates, offset } = opts.gather ? opts.gather(zn) : { candidates: zn, offset: 0 };
    const m = candidates.shape[0];
    if (offset < 0 || offset + 2 * n > m) {
      throw new RangeError(
        `ntXentLoss: gathered candidates (${m} rows) do not contain the local block at ${offset}`,
      );
    }
    // [2N, M] similarities over temperature, self masked.
    const sim = tf.div(tf.matMul(zn, candidates, false, true), temperature);
    const selfIdxs = new Int32Array(2 * n);
    const posIdxs = new Int32Array(2 * n);
    for (let a = 0; a < 2 * n; a++) {
      selfIdxs[a] = offset + a;
      posIdxs[a] = offset + ((a + n) % (2 * n));
    }
    const selfIdx = tf.tensor1d(selfIdxs, "int32");
    const posIdx = tf.tensor1d(posIdxs, "int32");
    // int32 one-hot then cast: the wasm backend's OneHot writes wrong bits for float32 output.
    const selfMask = tf.mul(tf.cast(tf.oneHot(selfIdx, m), "float32"), MASK);
    const logits = tf.add(sim, selfMask);
    const posOneHot = tf.cast(tf.oneHot(posIdx, m), "float32");
    const positive = tf.sum(tf.mul(logits, posOneHot), 1);
    const perAnchor = tf.sub(tf.logSumExp(logits, 1), positive);
    accuracy = tf.keep(
      tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), posIdx), "float32")),
    );
    const mean = tf.mean(perAnchor) as tf.Scalar;
    return reduction === "mean" ? mean : tf.mul(mean, 2) as tf.Scalar;
  });
  return { loss, accuracy };
}
