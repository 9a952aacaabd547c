/**
 * A small ResNet made only of stock TensorFlow.js ops (conv2d, batch norm from tf.moments +
 * tf.batchNorm, relu, max pool, average pool, dense layers, NT-Xent), so that its forward and
 * backward pass exercise exactly the kernels a ResNet + BN + NT-Xent training step asks of a
 * backend. Parameters come from a seeded generator, identical on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import { randoms } from "./_compare.ts";

/** Shape of the plain ResNet. */
export interface PlainResNetSpec {
  /** `imagenet`: 7x7/2 conv + 3x3/2 max pool; `cifar`: 3x3/1 conv. */
  stem: "imagenet" | "cifar";
  /** Bottleneck blocks (1x1, 3x3, 1x1, expansion 4) or basic blocks (3x3, 3x3). */
  block: "bottleneck" | "basic";
  /** Stem width and one block per stage of these widths (stride 1 first, then 2). */
  stemWidth: number;
  widths: number[];
  inChannels: number;
  headDim: number;
}

/** Parameters, by name. */
export type Params = Map<string, tf.Tensor>;

/** Creates the parameters of `spec` (seeded: the same values on every backend). */
export function plainParams(spec: PlainResNetSpec): Params {
  const p: Params = new Map();
  let seed = 100;
  const add = (name: string, shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    p.set(name, tf.tensor(randoms(n, seed++).map((v) => v * scale), shape));
  };
  const conv = (name: string, k: number, ci: number, co: number) => {
    add(name, [k, k, ci, co], Math.sqrt(3 / (k * k * ci)));
  };
  const bn = (name: string, c: number) => {
    p.set(`${name}.gamma`, tf.add(1, tf.mul(0.1, tf.tensor(randoms(c, seed++)))));
    add(`${name}.beta`, [c], 0.1);
  };
  const k0 = spec.stem === "imagenet" ? 7 : 3;
  conv("stem", k0, spec.inChannels, spec.stemWidth);
  bn("stem.bn", spec.stemWidth);
  let c = spec.stemWidth;
  spec.widths.forEach((w, i) => {
    const out = spec.block === "bottleneck" ? 4 * w : w;
    if (spec.block === "bottleneck") {
      conv(`s${i}.c1`, 1, c, w);
      conv(`s${i}.c2`, 3, w, w);
      conv(`s${i}.c3`, 1, w, out);
    } else {
      conv(`s${i}.c1`, 3, c, w);
      conv(`s${i}.c2`, 3, w, w);
    }
    for (let j = 1; j <= (spec.block === "bottleneck" ? 3 : 2); j++) {
      bn(`s${i}.bn${j}`, j === 3 ? out : w);
    }
    if (out !== c || i > 0) {
      conv(`s${i}.proj`, 1, c, out);
      bn(`s${i}.projbn`, out);
    }
    c = out;
  });
  add("fc1.w", [c, c], Math.sqrt(3 / c));
  add("fc1.b", [c], 0.1);
  add("fc2.w", [c, spec.headDim], Math.sqrt(3 / c));
  return p;
}

function batchNorm(p: Params, name: string, x: tf.Tensor4D | tf.Tensor2D): tf.Tensor {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const { mean, variance } = tf.moments(x, axes);
  return tf.batchNorm(x, mean, variance, p.get(`${name}.beta`)!, p.get(`${name}.gamma`)!, 1e-5);
}

/** Features and projections of NHWC `x`. */
export function plainForward(spec: PlainResNetSpec, p: Params, x: tf.Tensor4D): tf.Tensor2D {
  const conv = (name: string, t: tf.Tensor4D, s: number) =>
    tf.conv2d(t, p.get(name)! as tf.Tensor4D, s, "same");
  const bnRelu = (name: string, t: tf.Tensor4D) => tf.relu(batchNorm(p, name, t)) as tf.Tensor4D;
  let y = bnRelu("stem.bn", conv("stem", x, spec.stem === "imagenet" ? 2 : 1));
  if (spec.stem === "imagenet") y = tf.maxPool(y, 3, 2, "same");
  spec.widths.forEach((_, i) => {
    const s = i === 0 ? 1 : 2;
    let r: tf.Tensor4D;
    if (spec.block === "bottleneck") {
      r = bnRelu(`s${i}.bn1`, conv(`s${i}.c1`, y, 1));
      r = bnRelu(`s${i}.bn2`, conv(`s${i}.c2`, r, s));
      r = batchNorm(p, `s${i}.bn3`, conv(`s${i}.c3`, r, 1)) as tf.Tensor4D;
    } else {
      r = bnRelu(`s${i}.bn1`, conv(`s${i}.c1`, y, s));
      r = batchNorm(p, `s${i}.bn2`, conv(`s${i}.c2`, r, 1)) as tf.Tensor4D;
    }
    const short = p.has(`s${i}.proj`)
      ? batchNorm(p, `s${i}.projbn`, conv(`s${i}.proj`, y, s)) as tf.Tensor4D
      : y;
    y = tf.relu(tf.add(r, short));
  });
  const h = tf.mean(y, [1, 2]) as tf.Tensor2D;
  const g = tf.relu(tf.add(tf.matMul(h, p.get("fc1.w")! as tf.Tensor2D), p.get("fc1.b")!));
  return tf.matMul(g as tf.Tensor2D, p.get("fc2.w")! as tf.Tensor2D);
}

/** NT-Xent over `z = [z1; z2]` (`2N` rows) at temperature `tau`, from stock ops. */
export function plainNtXent(z: tf.Tensor2D, tau: number): tf.Scalar {
  const n2 = z.shape[0], n = n2 / 2;
  const zn = tf.div(z, tf.norm(z, "euclidean", 1, true));
  const sim = tf.div(tf.matMul(zn, zn, false, true), tau);
  const logits = tf.sub(sim, tf.mul(tf.eye(n2), 1e9));
  const pos = Array.from({ length: n2 }, (_, a) => (a + n) % n2);
  const target = tf.oneHot(tf.tensor1d(pos, "int32"), n2);
  return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
}

/** Loss of the whole net on `x` (first half of the batch: first views, second half: second). */
export function plainLoss(spec: PlainResNetSpec, p: Params, x: tf.Tensor4D): tf.Scalar {
  return plainNtXent(plainForward(spec, p, x), 0.5);
}
