/**
 * Training-mode batch norm (+ optional ReLU) as oneDNN primitives over channels-last data viewed
 * as `[M, C]` in the wasm heap: a few passes each way instead of the dozen element-wise ops and
 * reductions a composed batch norm costs on wasm. Exposed as kernels `NativeBatchNormForward` /
 * `NativeBatchNormBackward` for `wasm` and as the differentiable op {@link nativeBatchNorm},
 * which the model calls when {@link nativeBatchNormAvailable}.
 *
 * Statistics: oneDNN sums each channel's M values one after another in float32, so the mean and
 * variance it computes itself lose accuracy as M grows (measured on [512, 32, 32, 64], the first
 * layers of a 256-pair CIFAR batch: variance off by 1.6e-4, output by 8.2e-5 relative L2, where
 * a correctly rounded float32 result is off by 5.5e-8). Here oneDNN only sums short runs: the
 * data are also viewed as `[M / G, G * C]`, whose G * C "virtual channels" are interleaved groups
 * of rows of each channel; oneDNN computes their statistics, the G partial results per channel
 * are combined in float64 (Chan's formula for the variance), and the normalization then runs
 * with these statistics given. The backward pass is oneDNN's own, on the combined statistics.
 */
import * as tf from "@tensorflow/tfjs";
import { DNNL, type DnnlContext, type Primitive } from "./dnnl.ts";
import { nativeKernelEnabled } from "./enabled.ts";
import { type FusedBatchNorm, fusedBatchNormOp } from "../fused_batch_norm_op.ts";

/** Virtual channels at most: oneDNN keeps one accumulator per virtual channel. */
const MAX_VIRTUAL_CHANNELS = 8192;

/** Row groups G: the largest divisor of `m` with `G * c` <= {@link MAX_VIRTUAL_CHANNELS}. */
export function rowGroups(m: number, c: number): number {
  for (let g = Math.min(m, Math.floor(MAX_VIRTUAL_CHANNELS / c)); g > 1; g--) {
    if (m % g === 0) return g;
  }
  return 1;
}

/** oneDNN batch-norm primitives for one `[M, C]` shape, epsilon and ReLU choice. */
export class BatchNormPlan {
  readonly workspaceBytes: number;
  readonly impl: string;
  /** Row groups G of the statistics (see the module's comment). */
  readonly groups: number;
  #stats: Primitive;
  #forward: Primitive;
  #backward: Primitive;
  /** Mean and biased variance of each virtual channel. */
  readonly #groupMean: Float32Array<ArrayBuffer>;
  readonly #groupVariance: Float32Array<ArrayBuffer>;

  constructor(ctx: DnnlContext, m: number, c: number, eps: number, relu: boolean) {
    const lib = ctx.lib;
    const g = rowGroups(m, c);
    this.groups = g;
    // As 4-D NHWC, oneDNN runs its jit kernels; as 2-D [M, C] its reference ones (6-8x slower).
    const data = ctx.md([m, c, 1, 1], DNNL.tag.nhwc);
    const forwardPd = (md: Uint8Array<ArrayBuffer>, flags: number) => {
      const d = ctx.opDesc();
      const st = lib.dnnl_batch_normalization_forward_desc_init(
        d,
        DNNL.prop.forwardTraining,
        md,
        eps,
        flags,
      );
      if (st !== 0) throw new Error(`oneDNN batch_normalization_forward_desc_init failed (${st})`);
      const pd = ctx.pd(d);
      if (!pd) throw new Error("oneDNN has no batch norm for this shape");
      return pd;
    };
    const primitive = (pd: Deno.PointerObject, args: number[]) => {
      const prim = ctx.primitive(pd, args.map((arg) => ({ arg, md: ctx.argMd(pd, arg) })));
      lib.dnnl_primitive_desc_destroy(pd);
      return prim;
    };
    this.#stats = primitive(
      forwardPd(ctx.md([m / g, g * c, 1, 1], DNNL.tag.nhwc), 0),
      [DNNL.arg.src, DNNL.arg.dst, DNNL.arg.mean, DNNL.arg.variance],
    );
    this.#groupMean = new Float32Array(g * c);
    this.#groupVariance = new Float32Array(g * c);
    const flags = DNNL.bnFlags.useScale | DNNL.bnFlags.useShift |
      (relu ? DNNL.bnFlags.fuseRelu : 0);
    const withWs = (args: number[]) => relu ? [...args, DNNL.arg.workspace] : args;
    const fpd = forwardPd(data, flags | DNNL.bnFlags.useGlobalStats);
    const ws = relu ? ctx.queryMd(fpd, DNNL.query.workspaceMd) : null;
    this.workspaceBytes = relu ? ctx.size(ws) : 0;
    this.#forward = primitive(
      fpd,
      withWs([
        DNNL.arg.src,
        DNNL.arg.dst,
        DNNL.arg.mean,
        DNNL.arg.variance,
        DNNL.arg.scale,
        DNNL.arg.shift,
      ]),
    );
    // The backward pass of training mode (batch statistics, as inputs), hinted by its forward.
    const hint = forwardPd(data, flags);
    const bd = ctx.opDesc();
    const st = lib.dnnl_batch_normalization_backward_desc_init(
      bd,
      DNNL.prop.backward,
      data,
      data,
      eps,
      flags,
    );
    if (st !== 0) throw new Error(`oneDNN batch_normalization_backward_desc_init failed (${st})`);
    const bpd = ctx.pd(bd, null, hint);
    lib.dnnl_primitive_desc_destroy(hint);
    if (!bpd) throw new Error("oneDNN has no batch norm backward for this shape");
    if (relu && ctx.size(ctx.argMd(bpd, DNNL.arg.workspace)) !== this.workspaceBytes) {
      throw new Error("oneDNN batch norm: forward and backward workspaces differ");
    }
    this.#backward = primitive(
      bpd,
      withWs([
        DNNL.arg.src,
        DNNL.arg.mean,
        DNNL.arg.variance,
        DNNL.arg.diffDst,
        DNNL.arg.scale,
        // Not read, but oneDNN 2.6 refuses the call without it when use_shift is set.
        DNNL.arg.shift,
        DNNL.arg.diffSrc,
        DNNL.arg.diffScale,
        DNNL.arg.diffShift,
      ]),
    );
    this.impl = `${this.#forward.impl} / ${this.#backward.impl}, statistics over ${g} row groups`;
  }

  /**
   * y, mean and (biased) variance from x, scale, shift; fills `ws` when fused with ReLU.
   * `mean` and `variance` are views of the output tensors (written here), the rest addresses.
   */
  forward(
    x: Deno.PointerValue,
    y: Deno.PointerValue,
    mean: Float32Array,
    variance: Float32Array,
    scale: Deno.PointerValue,
    shift: Deno.PointerValue,
    ws: Deno.PointerValue,
  ): void {
    const gm = this.#groupMean, gv = this.#groupVariance, c = mean.length, g = this.groups;
    // The groups' statistics (their normalized data, written to y, is overwritten below).
    this.#stats.execute([x, y, Deno.UnsafePointer.of(gm), Deno.UnsafePointer.of(gv)]);
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let i = j; i < gm.length; i += c) s += gm[i];
      const mu = s / g;
      let q = 0;
      for (let i = j; i < gm.length; i += c) q += gv[i] + (gm[i] - mu) ** 2;
      mean[j] = mu;
      variance[j] = q / g;
    }
    const args = [
      x,
      y,
      Deno.UnsafePointer.of(mean as Float32Array<ArrayBuffer>),
      Deno.UnsafePointer.of(variance as Float32Array<ArrayBuffer>),
      scale,
      shift,
    ];
    if (this.workspaceBytes) args.push(ws);
    this.#forward.execute(args);
  }

  /** dx, dscale, dshift from dy and what the forward pass saved. */
  backward(
    x: Deno.PointerValue,
    mean: Deno.PointerValue,
    variance: Deno.PointerValue,
    dy: Deno.PointerValue,
    scale: Deno.PointerValue,
    dx: Deno.PointerValue,
    dscale: Deno.PointerValue,
    dshift: Deno.PointerValue,
    ws: Deno.PointerValue,
  ): void {
    const args = [x, mean, variance, dy, scale, scale, dx, dscale, dshift];
    if (this.workspaceBytes) args.push(ws);
    this.#backward.execute(args);
  }
}

/** The plan for `[m, c]` (built once per shape, epsilon, ReLU choice and thread count). */
export function batchNormPlan(
  ctx: DnnlContext,
  m: number,
  c: number,
  eps: number,
  relu: boolean,
): BatchNormPlan {
  return ctx.cached(`bn:${m},${c},${eps},${relu}`, () => new BatchNormPlan(ctx, m, c, eps, relu));
}

/** Whether the native batch-norm kernels are registered for the active backend. */
export function nativeBatchNormAvailable(): boolean {
  return tf.getBackend() === "wasm" &&
    tf.getKernel("NativeBatchNormForward", "wasm") !== undefined &&
    nativeKernelEnabled("NativeBatchNormForward");
}

/**
 * Training-mode batch norm over the last axis (+ ReLU when `relu`), differentiable in `x`,
 * `gamma` and `beta`, on the native kernels (see {@link nativeBatchNormAvailable} and
 * `fusedBatchNormOp`).
 */
export const nativeBatchNorm: FusedBatchNorm = fusedBatchNormOp({
  forward: "NativeBatchNormForward",
  backward: "NativeBatchNormBackward",
  extra: "workspace",
});
