/**
 * Training-mode batch norm (+ optional ReLU) on `webgpu` as fused passes over channels-last
 * data viewed as `[M, C]`, instead of the dozens of generic element-wise ops, reductions and
 * matrix products (one dispatch each) of the composed batch norm and its gradient:
 *
 * - forward (`WebGpuBatchNormForward`, 4 dispatches): the sum and the sum of squares of
 *   `x - x[0]` per channel in one read (a two-level tree, see `channel_pass.ts`; the shift by
 *   the channel's first value keeps `E[d^2] - E[d]^2` free of cancellation when the mean is
 *   large against the spread), the mean and biased variance from them, then
 *   `y = (x - mean) * gamma / sqrt(var + eps) + beta` (then ReLU) in one pass;
 * - backward (`WebGpuBatchNormBackward`, 5 dispatches): `sum(d)` and `sum(d * xhat)` per
 *   channel in one read (`d = dy`, masked by `y > 0` with ReLU), which are `dbeta` and
 *   `dgamma`, then `dx = gamma / sqrt(var + eps) * (d - dbeta/M - xhat * dgamma/M)`.
 *
 * {@link webGpuBatchNorm} is the differentiable op the model's `BatchNorm` calls when
 * {@link webGpuBatchNormAvailable}, as it calls the native fused batch norm on `wasm`.
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { channelMap, channelSums, channelType, finishSums } from "./channel_pass.ts";
import { webGpuKernelEnabled } from "./stock.ts";
import { type FusedBatchNorm, fusedBatchNormOp } from "../fused_batch_norm_op.ts";

/** Kernel names (registered for `webgpu` only). */
export const BN_FORWARD = "WebGpuBatchNormForward";
export const BN_BACKWARD = "WebGpuBatchNormBackward";

type Args = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
};

function dims(x: tf.TensorInfo): { m: number; c: number } {
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { m: size / c, c };
}

/** `[y, mean, variance]` (variance biased) from `x`, `gamma`, `beta`; attrs `eps`, `relu`. */
function batchNormForward(args: Args): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
  const { eps, relu } = args.attrs as unknown as { eps: number; relu: boolean };
  const { m, c } = dims(x);
  const t = channelType(c);
  const { partial, groups } = channelSums(backend, m, c, {
    key: "bnfwd",
    inputs: ["x"],
    setup: `let shift = x[cc];`,
    terms: `let d = x[at] - shift; let t1 = d; let t2 = d * d;`,
  }, [x]);
  const mean = finishSums(backend, partial, groups, c, {
    key: `bnmean_${m}`,
    finish: [`x[c] + S1 / ${m}.0`],
    extra: ["x"],
  }, [x]);
  const variance = finishSums(backend, partial, groups, c, {
    key: `bnvar_${m}`,
    finish: [`max(${t}(0.0), S2 / ${m}.0 - (S1 / ${m}.0) * (S1 / ${m}.0))`],
  });
  backend.disposeData(partial.dataId);
  const y = channelMap(
    backend,
    m,
    c,
    {
      key: `bnnorm_${relu}_${eps}`,
      inputs: ["x", "mean", "variance", "gamma", "beta"],
      setup: `
  let scale = gamma[cc] * inverseSqrt(variance[cc] + ${eps});
  let offset = beta[cc] - mean[cc] * scale;`,
      body: relu
        ? `result[at] = max(x[at] * scale + offset, ${t}(0.0));`
        : `result[at] = x[at] * scale + offset;`,
    },
    [x, mean, variance, gamma, beta],
    x.shape,
  );
  return [y, mean, variance];
}

/**
 * `[dx, dgamma, dbeta]` from `dy`, the forward input `x`, its `mean` and biased `variance`,
 * `gamma`, and (with ReLU) the forward output `y`; attrs `eps`, `relu`.
 */
function batchNormBackward(args: Args): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { dy, x, mean, variance, gamma, y } = args.inputs as Record<string, tf.TensorInfo>;
  const { eps, relu } = args.attrs as unknown as { eps: number; relu: boolean };
  if (relu && !y) throw new TypeError(`${BN_BACKWARD}: relu needs the forward output y`);
  const { m, c } = dims(x);
  const t = channelType(c);
  const masked = relu ? `select(${t}(0.0), dy[at], y[at] > ${t}(0.0))` : `dy[at]`;
  const stats = `let invstd = inverseSqrt(variance[cc] + ${eps}); let mu = mean[cc];`;
  const names = relu ? ["dy", "x", "mean", "variance", "y"] : ["dy", "x", "mean", "variance"];
  const inputs = relu ? [dy, x, mean, variance, y] : [dy, x, mean, variance];
  const { partial, groups } = channelSums(backend, m, c, {
    key: `bnbwd_${relu}_${eps}`,
    inputs: names,
    setup: stats,
    terms: `let d = ${masked}; let t1 = d; let t2 = d * ((x[at] - mu) * invstd);`,
  }, inputs);
  // dbeta and dgamma are outputs; the dx pass reads both sums from one binding (a shader has
  // at most 8 storage buffers).
  const dbeta = finishSums(backend, partial, groups, c, { key: "bndbeta", finish: ["S1"] });
  const dgamma = finishSums(backend, partial, groups, c, { key: "bndgamma", finish: ["S2"] });
  const sums = finishSums(backend, partial, groups, c, { key: "bnsums", finish: ["S1", "S2"] });
  backend.disposeData(partial.dataId);
  const dx = channelMap(
    backend,
    m,
    c,
    {
      key: `bndx_${relu}_${eps}`,
      inputs: [...names, "gamma", "sums"],
      setup: `${stats}
  let k = gamma[cc] * invstd;
  let b = sums[cc] / ${m}.0;
  let g = sums[${c / (c % 4 === 0 ? 4 : 1)} + cc] / ${m}.0;`,
      body: `let d = ${masked}; result[at] = k * (d - b - (x[at] - mu) * invstd * g);`,
    },
    [...inputs, gamma, sums],
    x.shape,
  );
  backend.disposeData(sums.dataId);
  return [dx, dgamma, dbeta];
}

/** Whether the model should use {@link webGpuBatchNorm} now. */
export function webGpuBatchNormAvailable(): boolean {
  return tf.getBackend() === "webgpu" && tf.getKernel(BN_FORWARD, "webgpu") !== undefined &&
    webGpuKernelEnabled(BN_FORWARD);
}

/**
 * Training-mode batch norm over the last axis (+ ReLU when `relu`), differentiable in `x`,
 * `gamma` and `beta`, on the fused kernels (see `fusedBatchNormOp`).
 */
export const webGpuBatchNorm: FusedBatchNorm = fusedBatchNormOp({
  forward: BN_FORWARD,
  backward: BN_BACKWARD,
  extra: "y",
});

/** The project's fused batch-norm kernels for `webgpu`. */
export const batchNormForwardConfig: tf.KernelConfig = {
  kernelName: BN_FORWARD,
  backendName: "webgpu",
  kernelFunc: batchNormForward as unknown as tf.KernelFunc,
};

/** See {@link batchNormForwardConfig}. */
export const batchNormBackwardConfig: tf.KernelConfig = {
  kernelName: BN_BACKWARD,
  backendName: "webgpu",
  kernelFunc: batchNormBackward as unknown as tf.KernelFunc,
};
