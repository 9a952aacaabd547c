/**
 * A training-mode batch norm (+ReLU) over the last axis made of two fused kernels, forward
 * and backward, as a differentiable op: the shape shared by the `native` (oneDNN) and `webgpu`
 * (WGSL) batch norms.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * A differentiable batch norm over the last axis: output, batch mean and biased variance
 * (kept: the caller disposes them); `retain` as in the model's `ForwardContext`.
 */
export type FusedBatchNorm = (
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  relu: boolean,
  retain?: tf.Tensor[],
) => { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D };

/** The kernels of a fused batch norm. */
export interface FusedBatchNormKernels {
  /** Inputs `x, gamma, beta`, attrs `eps, relu`; outputs `[y, mean, biased variance, ...]`. */
  forward: string;
  /**
   * Inputs `dy, x, mean, variance, gamma` and the extra one below, attrs `eps, relu`;
   * outputs `[dx, dgamma, dbeta]`.
   */
  backward: string;
  /**
   * What else the backward kernel takes: the forward kernel's 4th output as `workspace`
   * (always), or the forward output as `y` (with ReLU only: its mask).
   */
  extra: "workspace" | "y";
}

/**
 * The {@link FusedBatchNorm} of `kernels`. With `retain`, what the gradient needs (input,
 * statistics, gamma, the extra tensor) is kept as zero-copy aliases listed there and freed as
 * soon as the gradient has run, instead of the engine's saved clones (copies on wasm).
 */
export function fusedBatchNormOp(kernels: FusedBatchNormKernels): FusedBatchNorm {
  return (x, gamma, beta, eps, relu, retain) => {
    let mean!: tf.Tensor1D;
    let variance!: tf.Tensor1D;
    let aliases: tf.Tensor[] | undefined;
    const engine = tf.engine();
    const op = tf.customGrad((xIn, gIn, bIn, save) => {
      const outs = engine.runKernel(
        kernels.forward,
        { x: xIn as tf.Tensor, gamma: gIn as tf.Tensor, beta: bIn as tf.Tensor },
        { eps, relu },
      ) as tf.Tensor[];
      const [y, m, v] = outs;
      const extra = kernels.extra === "workspace" ? outs[3] : relu ? y : undefined;
      const toKeep = [xIn as tf.Tensor, m, v, gIn as tf.Tensor, ...(extra ? [extra] : [])];
      if (retain) {
        aliases = toKeep.map((t) => tf.keep(tf.reshape(t, t.shape)));
        retain.push(...aliases);
      } else {
        (save as tf.GradSaveFunc)(toKeep);
      }
      mean = tf.keep(m) as tf.Tensor1D;
      variance = tf.keep(v) as tf.Tensor1D;
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, savedByEngine: tf.Tensor[]) => {
          const [xs, ms, vs, gs, es] = aliases ?? savedByEngine;
          const inputs: tf.NamedTensorMap = { dy, x: xs, mean: ms, variance: vs, gamma: gs };
          if (es) inputs[kernels.extra] = es;
          const grads = engine.runKernel(kernels.backward, inputs, { eps, relu }) as tf.Tensor[];
          if (aliases) { for (const t of aliases) t.dispose(); }
          return grads;
        },
      };
    });
    const y = op(x, gamma, beta);
    return { y, mean, variance };
  };
}
