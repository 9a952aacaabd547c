/**
 * oneDNN pooling (average and max, forward and backward) on NHWC tensors in the wasm heap.
 * Average pooling divides as TensorFlow.js's own kernels do: its forward pass excludes padding
 * from the divisor, its gradient (`AvgPoolGrad` on cpu and wasm) divides by the full window
 * (they differ only for `same` padding at the borders; native matches them). Max-pool backward
 * re-runs the forward pass in training mode to get oneDNN's workspace (the arg-max), since
 * TensorFlow.js's `MaxPoolGrad` receives the input, not the indices.
 */
import { type ArgSpec, dims, DNNL, type DnnlContext, type Primitive } from "./dnnl.ts";

/** Geometry of a 2-D pooling, in TensorFlow.js's terms (from `computePool2DInfo`). */
export interface PoolGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

export type PoolKind = "avgForward" | "avgBackward" | "maxForward" | "maxBackward";

/** A pooling primitive (two for max backward) for one shape. */
export class PoolPlan {
  #prim: Primitive;
  #forward: Primitive | null = null;
  #workspace: Uint8Array<ArrayBuffer> | null = null;
  #dst: Uint8Array<ArrayBuffer> | null = null;
  readonly impl: string;

  constructor(ctx: DnnlContext, readonly kind: PoolKind, g: PoolGeometry) {
    const lib = ctx.lib;
    const src = ctx.md([g.batch, g.channels, g.inH, g.inW], DNNL.tag.nhwc);
    const dst = ctx.md([g.batch, g.channels, g.outH, g.outW], DNNL.tag.nhwc);
    const strides = dims([g.strideH, g.strideW]);
    const kernel = dims([g.kH, g.kW]);
    const dilation = dims([0, 0]);
    const padL = dims([g.padTop, g.padLeft]);
    const padR = dims([
      (g.outH - 1) * g.strideH + g.kH - g.inH - g.padTop,
      (g.outW - 1) * g.strideW + g.kW - g.inW - g.padLeft,
    ]);
    const max = kind === "maxForward" || kind === "maxBackward";
    const backward = kind === "avgBackward" || kind === "maxBackward";
    const alg = max
      ? DNNL.alg.poolMax
      : backward
      ? DNNL.alg.poolAvgInclude
      : DNNL.alg.poolAvgExclude;
    const fwdDesc = ctx.opDesc();
    let st = lib.dnnl_pooling_v2_forward_desc_init(
      fwdDesc,
      backward && max ? DNNL.prop.forwardTraining : DNNL.prop.forwardInference,
      alg,
      src,
      dst,
      strides,
      kernel,
      dilation,
      padL,
      padR,
    );
    if (st !== 0) throw new Error(`oneDNN pooling_forward_desc_init failed (${st})`);
    const fwdPd = ctx.pd(fwdDesc);
    if (!fwdPd) throw new Error("oneDNN has no pooling for this shape");
    if (!backward) {
      this.#prim = ctx.primitive(fwdPd, [
        { arg: DNNL.arg.src, md: ctx.queryMd(fwdPd, DNNL.query.srcMd) },
        { arg: DNNL.arg.dst, md: ctx.queryMd(fwdPd, DNNL.query.dstMd) },
      ]);
      this.impl = this.#prim.impl;
      lib.dnnl_primitive_desc_destroy(fwdPd);
      return;
    }
    const wsMd = max ? ctx.queryMd(fwdPd, DNNL.query.workspaceMd) : null;
    if (max) {
      this.#forward = ctx.primitive(fwdPd, [
        { arg: DNNL.arg.src, md: ctx.queryMd(fwdPd, DNNL.query.srcMd) },
        { arg: DNNL.arg.dst, md: ctx.queryMd(fwdPd, DNNL.query.dstMd) },
        { arg: DNNL.arg.workspace, md: wsMd },
      ]);
      this.#workspace = new Uint8Array(ctx.size(wsMd) + 64);
      this.#dst = new Uint8Array(ctx.size(ctx.queryMd(fwdPd, DNNL.query.dstMd)) + 64);
    }
    const bwdDesc = ctx.opDesc();
    st = lib.dnnl_pooling_v2_backward_desc_init(
      bwdDesc,
      alg,
      src,
      dst,
      strides,
      kernel,
      dilation,
      padL,
      padR,
    );
    if (st !== 0) throw new Error(`oneDNN pooling_backward_desc_init failed (${st})`);
    const bwdPd = ctx.pd(bwdDesc, null, fwdPd);
    if (!bwdPd) throw new Error("oneDNN has no pooling backward for this shape");
    const specs: ArgSpec[] = [
      { arg: DNNL.arg.diffSrc, md: ctx.queryMd(bwdPd, DNNL.query.diffSrcMd) },
      { arg: DNNL.arg.diffDst, md: ctx.queryMd(bwdPd, DNNL.query.diffDstMd) },
    ];
    if (max) specs.push({ arg: DNNL.arg.workspace, md: wsMd });
    this.#prim = ctx.primitive(bwdPd, specs);
    this.impl = this.#prim.impl;
    lib.dnnl_primitive_desc_destroy(bwdPd);
    lib.dnnl_primitive_desc_destroy(fwdPd);
  }

  /** Forward: `a` = input, `b` = output. */
  forward(x: Deno.PointerValue, y: Deno.PointerValue): void {
    this.#prim.execute([x, y]);
  }

  /** Backward: writes `dx` from `dy` (max pooling also needs the forward input `x`). */
  backward(dx: Deno.PointerValue, dy: Deno.PointerValue, x: Deno.PointerValue = null): void {
    if (this.#forward) {
      const ws = Deno.UnsafePointer.of(this.#workspace!);
      this.#forward.execute([x, Deno.UnsafePointer.of(this.#dst!), ws]);
      this.#prim.execute([dx, dy, ws]);
    } else {
      this.#prim.execute([dx, dy]);
    }
  }
}

/** The plan for `kind` on geometry `g` (built once per shape and thread count). */
export function poolPlan(ctx: DnnlContext, kind: PoolKind, g: PoolGeometry): PoolPlan {
  return ctx.cached(`pool:${kind}:${Object.values(g).join(",")}`, () => new PoolPlan(ctx, kind, g));
}
