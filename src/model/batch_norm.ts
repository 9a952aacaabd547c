/**
 * Batch normalization (optionally fused with ReLU) with training and inference modes and
 * PyTorch's running statistics. In training mode the gradient is custom: every per-channel sum
 * is a matrix product `ones[1, M] x X[M, C]` (M = N*H*W), which XNNPACK runs fast on wasm,
 * instead of the stock gradient's `Tile` and transposing reductions.
 */
import * as tf from "@tensorflow/tfjs";
import { type FusedBatchNorm, fusedBatchNorm } from "../backend/fused_batch_norm.ts";
import type { BatchNormHooks, ForwardContext } from "./forward_context.ts";
import type { Param, ParamStore } from "./params.ts";

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** Added to the variance (PyTorch default 1e-5). */
  eps?: number;
  /** Running-statistics momentum, PyTorch convention (default 0.1). */
  momentum?: number;
  /**
   * Learn a shift beta (default true). `false` is Keras's `center=False` (SimCLR's projection
   * output): no `.bias` parameter, the shift is 0.
   */
  center?: boolean;
  /**
   * Initial scale gamma (default 1). 0 is the zero-init of a residual branch's last BN (Goyal et
   * al.; google-research/simclr's ResNet, torchvision's `zero_init_residual`).
   */
  gammaInit?: number;
}

/** A batch-norm layer over the last axis, with torchvision's names under `prefix`. */
export class BatchNorm {
  readonly weight: Param;
  /** The shift beta; absent with `center: false`. */
  readonly bias?: Param;
  readonly runningMean: Param;
  readonly runningVar: Param;
  readonly batchesTracked: Param;
  readonly eps: number;

  constructor(
    store: ParamStore,
    prefix: string,
    readonly channels: number,
    opts: BatchNormOptions = {},
  ) {
    this.eps = opts.eps ?? 1e-5;
    this.weight = store.create(`${prefix}.weight`, [channels], {
      kind: "constant",
      value: opts.gammaInit ?? 1,
    }, ["bn"]);
    if (opts.center ?? true) {
      this.bias = store.create(`${prefix}.bias`, [channels], { kind: "constant", value: 0 }, [
        "bn",
      ]);
    }
    this.runningMean = store.create(`${prefix}.running_mean`, [channels], {
      kind: "constant",
      value: 0,
    }, ["buffer"]);
    this.runningVar = store.create(`${prefix}.running_var`, [channels], {
      kind: "constant",
      value: 1,
    }, ["buffer"]);
    this.batchesTracked = store.create(`${prefix}.num_batches_tracked`, [], {
      kind: "constant",
      value: 0,
    }, ["buffer"]);
  }

  /**
   * The backend's fused batch norm (+ReLU) kernels (oneDNN on `native`, WGSL on `webgpu`).
   * Statistics come back biased; running statistics take the unbiased variance, as here.
   * Global BN (hooks) keeps the generic path, whose channel sums the hooks reduce across ranks.
   */
  #fused(op: FusedBatchNorm, x: tf.Tensor, relu: boolean, ctx: ForwardContext) {
    const { y, mean, variance } = op(
      x,
      this.weight.variable,
      this.#shift(),
      this.eps,
      relu,
      ctx.retain,
    );
    const m = x.size / this.channels;
    const unbiased = tf.keep(tf.mul(variance, m > 1 ? m / (m - 1) : 1)) as tf.Tensor1D;
    variance.dispose();
    return { y, mean, variance: unbiased };
  }

  /**
   * beta, or zeros without `center` (a tensor of the caller's scope: a training forward pass
   * frees it with the step's other intermediates).
   */
  #shift(): tf.Tensor {
    return this.bias ? this.bias.variable : tf.zerosLike(this.weight.variable);
  }

  /** Normalizes `x` (channels last), then ReLU when `relu` is true. */
  apply(x: tf.Tensor, ctx: ForwardContext, relu = false): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.channels) {
      throw new TypeError(
        `BatchNorm '${this.weight.name}': input has ${
          x.shape[x.rank - 1]
        } channels, layer expects ${this.channels}`,
      );
    }
    if (!ctx.training) {
      return tf.tidy(() => {
        const scale = tf.mul(
          this.weight.variable,
          tf.rsqrt(tf.add(this.runningVar.variable, this.eps)),
        );
        const shift = tf.sub(this.#shift(), tf.mul(this.runningMean.variable, scale));
        const y = tf.add(tf.mul(x, scale), shift);
        return relu ? tf.relu(y) : y;
      });
    }
    const fused = ctx.batchNorm ? undefined : fusedBatchNorm();
    const { y, mean, variance } = fused ? this.#fused(fused, x, relu, ctx) : batchNormTraining(
      x,
      this.weight.variable,
      this.#shift(),
      this.eps,
      relu,
      ctx.batchNorm,
      ctx.retain,
    );
    if (ctx.updates) {
      ctx.updates.push({
        mean,
        variance,
        runningMean: this.runningMean,
        runningVar: this.runningVar,
        batchesTracked: this.batchesTracked,
      });
    } else {
      mean.dispose();
      variance.dispose();
    }
    return y;
  }
}

/**
 * Training-mode batch norm (+ optional ReLU) with the matrix-product gradient. Returns the
 * output and the batch mean and unbiased variance (kept: the caller disposes them).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  relu: boolean,
  hooks?: BatchNormHooks,
  retain?: tf.Tensor[],
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const shape = x.shape;
  const c = shape[shape.length - 1];
  const localM = x.size / c;
  const m = hooks ? hooks.globalCount(localM) : localM;
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  let aliases: tf.Tensor[] | undefined;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const x2 = tf.reshape(xIn as tf.Tensor, [localM, c]);
    const ones = tf.ones([1, localM]);
    let mu: tf.Tensor2D;
    let xc: tf.Tensor2D;
    let varBiased: tf.Tensor2D;
    if (hooks) {
      const sums = hooks.allReduceSum(
        tf.concat([tf.matMul(ones, x2), tf.matMul(ones, tf.square(x2))], 0) as tf.Tensor2D,
      );
      const [s1, s2] = tf.split(sums, 2, 0);
      mu = tf.div(s1, m);
      varBiased = tf.relu(tf.sub(tf.div(s2, m), tf.square(mu)));
      xc = tf.sub(x2, mu);
    } else {
      mu = tf.div(tf.matMul(ones, x2), m);
      xc = tf.sub(x2, mu);
      varBiased = tf.div(tf.matMul(ones, tf.square(xc)), m);
    }
    const invstd = tf.rsqrt(tf.add(varBiased, eps));
    const xhat = tf.mul(xc, invstd);
    let y = tf.add(tf.mul(xhat, gIn as tf.Tensor), bIn as tf.Tensor);
    if (relu) y = tf.relu(y);
    // y is needed only for the ReLU mask. With `retain`, keep zero-copy aliases (reshape shares
    // the data) rather than `save`, whose clones are copies on wasm.
    const toKeep = relu ? [xhat, invstd, y] : [xhat, invstd];
    if (retain) {
      aliases = toKeep.map((t) => tf.keep(tf.reshape(t, t.shape)));
      retain.push(...aliases);
    } else {
      (save as tf.GradSaveFunc)(toKeep);
    }
    mean = tf.keep(tf.reshape(mu, [c]));
    variance = tf.keep(tf.reshape(tf.mul(varBiased, m > 1 ? m / (m - 1) : 1), [c]));
    return {
      value: tf.reshape(y, shape),
      gradFunc: (dy: tf.Tensor, savedByEngine: tf.Tensor[]) => {
        const saved = aliases ?? savedByEngine;
        const g = gIn as tf.Tensor;
        const grads = tf.tidy(() => {
          const [xh, inv, yOut] = saved;
          let d = tf.reshape(dy, [localM, c]);
          if (relu) d = tf.mul(d, tf.step(yOut));
          const o = tf.ones([1, localM]);
          const dBeta = tf.matMul(o, d);
          const dGamma = tf.matMul(o, tf.mul(d, xh));
          let sBeta = dBeta;
          let sGamma = dGamma;
          if (hooks) {
            const s = hooks.allReduceSum(tf.concat([dBeta, dGamma], 0) as tf.Tensor2D);
            [sBeta, sGamma] = tf.split(s, 2, 0);
          }
          const dx = tf.mul(
            tf.sub(tf.sub(d, tf.div(sBeta, m)), tf.mul(xh, tf.div(sGamma, m))),
            tf.mul(g, inv),
          );
          return [tf.reshape(dx, shape), tf.reshape(dGamma, [c]), tf.reshape(dBeta, [c])];
        });
        // Free now what only this node needed, instead of at the end of the backward pass:
        // its saved tensors (aliases or the engine's clones) and the gradient at its output.
        for (const t of saved) t.dispose();
        dy.dispose();
        return grads;
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, mean, variance };
}
