/**
 * Training-mode batch norm (+ optional ReLU) as two oneDNN primitives, forward and backward,
 * over channels-last data viewed as `[M, C]` in the wasm heap: one pass each instead of the
 * dozen element-wise ops and reductions a composed batch norm costs on wasm. Exposed as kernels
 * `NativeBatchNormForward` / `NativeBatchNormBackward` for `wasm` and as the differentiable op
 * {@link nativeBatchNorm}, which the model can call when {@link nativeBatchNormAvailable}.
 */
import * as tf from "@tensorflow/tfjs";
import { type ArgSpec, DNNL, type DnnlContext, type Primitive } from "./dnnl.ts";
import { nativeKernelEnabled } from "./enabled.ts";
import { type FusedBatchNorm, fusedBatchNormOp } from "../fused_batch_norm_op.ts";

/** oneDNN batch-norm primitives for one `[M, C]` shape, epsilon and ReLU choice. */
export class BatchNormPlan {
  readonly workspaceBytes: number;
  readonly impl: string;
  #forward: Primitive;
  #backward: Primitive;

  constructor(ctx: DnnlContext, m: number, c: number, eps: number, relu: boolean) {
    const lib = ctx.lib;
    // As 4-D NHWC, oneDNN runs its jit kernels; as 2-D [M, C] its reference ones (6-8x slower).
    const data = ctx.md([m, c, 1, 1], DNNL.tag.nhwc);
    const vec = Deno.UnsafePointer.of(ctx.md([c], DNNL.tag.a));
    const flags = DNNL.bnFlags.useScale | DNNL.bnFlags.useShift |
      (relu ? DNNL.bnFlags.fuseRelu : 0);
    const fd = ctx.opDesc();
    let st = lib.dnnl_batch_normalization_forward_desc_init(
      fd,
      DNNL.prop.forwardTraining,
      data,
      eps,
      flags,
    );
    if (st !== 0) throw new Error(`oneDNN batch_normalization_forward_desc_init failed (${st})`);
    const fpd = ctx.pd(fd);
    if (!fpd) throw new Error("oneDNN has no batch norm for this shape");
    const dataMd = Deno.UnsafePointer.of(data);
    const ws = relu ? ctx.queryMd(fpd, DNNL.query.workspaceMd) : null;
    this.workspaceBytes = relu ? ctx.size(ws) : 0;
    const fspecs: ArgSpec[] = [
      { arg: DNNL.arg.src, md: dataMd },
      { arg: DNNL.arg.dst, md: dataMd },
      { arg: DNNL.arg.mean, md: vec },
      { arg: DNNL.arg.variance, md: vec },
      { arg: DNNL.arg.scale, md: vec },
      { arg: DNNL.arg.shift, md: vec },
    ];
    if (relu) fspecs.push({ arg: DNNL.arg.workspace, md: ws });
    this.#forward = ctx.primitive(fpd, fspecs.map(({ arg }) => ({ arg, md: ctx.argMd(fpd, arg) })));
    const bd = ctx.opDesc();
    st = lib.dnnl_batch_normalization_backward_desc_init(
      bd,
      DNNL.prop.backward,
      data,
      data,
      eps,
      flags,
    );
    if (st !== 0) throw new Error(`oneDNN batch_normalization_backward_desc_init failed (${st})`);
    const bpd = ctx.pd(bd, null, fpd);
    if (!bpd) throw new Error("oneDNN has no batch norm backward for this shape");
    const bspecs: ArgSpec[] = [
      { arg: DNNL.arg.src, md: dataMd },
      { arg: DNNL.arg.mean, md: vec },
      { arg: DNNL.arg.variance, md: vec },
      { arg: DNNL.arg.diffDst, md: dataMd },
      { arg: DNNL.arg.scale, md: vec },
      // Not read, but oneDNN 2.6 refuses the call without it when use_shift is set.
      { arg: DNNL.arg.shift, md: vec },
      { arg: DNNL.arg.diffSrc, md: dataMd },
      { arg: DNNL.arg.diffScale, md: vec },
      { arg: DNNL.arg.diffShift, md: vec },
    ];
    if (relu) bspecs.push({ arg: DNNL.arg.workspace, md: ws });
    this.#backward = ctx.primitive(
      bpd,
      bspecs.map(({ arg }) => ({ arg, md: ctx.argMd(bpd, arg) })),
    );
    this.impl = `${this.#forward.impl} / ${this.#backward.impl}`;
    lib.dnnl_primitive_desc_destroy(bpd);
    lib.dnnl_primitive_desc_destroy(fpd);
  }

  /** y, mean and (biased) variance from x, scale, shift; fills `ws` when fused with ReLU. */
  forward(
    x: Deno.PointerValue,
    y: Deno.PointerValue,
    mean: Deno.PointerValue,
    variance: Deno.PointerValue,
    scale: Deno.PointerValue,
    shift: Deno.PointerValue,
    ws: Deno.PointerValue,
  ): void {
    this.#forward.execute(
      this.workspaceBytes ? [x, y, mean, variance, scale, shift, ws] : [
        x,
        y,
        mean,
        variance,
        scale,
        shift,
      ],
    );
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
