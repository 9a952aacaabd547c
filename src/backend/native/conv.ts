/**
 * oneDNN direct convolutions (forward, backward-data, backward-weights) on TensorFlow.js's
 * layouts: activations stay NHWC in the wasm heap (read and written in place), filters are
 * HWIO at the boundary. Inside, oneDNN picks its own (blocked) filter layout, and the filter is
 * reordered on each call: filters are small and change every step, and measured on this
 * machine's AVX-512 (1 thread, batch 128, 3x3) that runs at 170-270 GFLOP/s against 75-115 for
 * plain HWIO filters (which make oneDNN fall back to its im2col+gemm implementation).
 * Blocked activations (nChw16c) were slower than NHWC once their reorders are counted.
 */
import type { ConvGeometry } from "../conv_geometry.ts";
import { type ArgSpec, dims, DNNL, type DnnlContext, type Primitive } from "./dnnl.ts";

export type ConvKind = "forward" | "backwardData" | "backwardWeights";

/** Eltwise post-op `[alg, alpha, beta]` for a fused activation, or null when unsupported. */
export function postOpFor(activation: string, leakyAlpha = 0.2): [number, number, number][] | null {
  switch (activation) {
    case "linear":
      return [];
    case "relu":
      return [[DNNL.alg.relu, 0, 0]];
    case "relu6":
      return [[DNNL.alg.clipV2, 0, 6]];
    case "leakyrelu":
      return [[DNNL.alg.relu, leakyAlpha, 0]];
    case "elu":
      return [[DNNL.alg.elu, 1, 0]];
    case "sigmoid":
      return [[DNNL.alg.logistic, 0, 0]];
    default:
      return null;
  }
}

interface Conversion {
  reorder: Primitive;
  scratch: Uint8Array<ArrayBuffer>;
}

/** A convolution primitive for one shape, with the filter's layout conversion if any. */
export class ConvPlan {
  readonly impl: string;
  #prim: Primitive;
  #filter: Conversion | null;
  #ptrs: Deno.PointerValue[];
  readonly #kind: ConvKind;

  constructor(
    ctx: DnnlContext,
    kind: ConvKind,
    g: ConvGeometry,
    withBias: boolean,
    postOps: [number, number, number][],
  ) {
    this.#kind = kind;
    const lib = ctx.lib;
    const src = ctx.md([g.batch, g.inC, g.inH, g.inW], DNNL.tag.nhwc);
    const dst = ctx.md([g.batch, g.outC, g.outH, g.outW], DNNL.tag.nhwc);
    const wUser = ctx.md([g.outC, g.inC, g.kH, g.kW], DNNL.tag.hwio);
    const wAny = ctx.md([g.outC, g.inC, g.kH, g.kW], DNNL.tag.any);
    const bias = withBias ? ctx.md([g.outC], DNNL.tag.a) : null;
    const strides = dims([g.strideH, g.strideW]);
    const dilates = dims([g.dilationH - 1, g.dilationW - 1]);
    const padL = dims([g.padTop, g.padLeft]);
    // oneDNN wants the right/bottom padding that makes the output size exact (may be < 0).
    const padR = dims([
      (g.outH - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1 - g.inH - g.padTop,
      (g.outW - 1) * g.strideW + (g.kW - 1) * g.dilationW + 1 - g.inW - g.padLeft,
    ]);
    const biasPtr = bias ? Deno.UnsafePointer.of(bias) : null;
    const forwardDesc = (wMd: Uint8Array<ArrayBuffer>) => {
      const d = ctx.opDesc();
      const st = lib.dnnl_dilated_convolution_forward_desc_init(
        d,
        DNNL.prop.forwardTraining,
        DNNL.alg.convDirect,
        src,
        wMd,
        biasPtr,
        dst,
        strides,
        dilates,
        padL,
        padR,
      );
      if (st !== 0) throw new Error(`oneDNN convolution_forward_desc_init failed (${st})`);
      return d;
    };
    const make = (wMd: Uint8Array<ArrayBuffer>) => {
      if (kind === "forward") {
        const attr = ctx.attr(postOps);
        const pd = ctx.pd(forwardDesc(wMd), attr);
        if (attr) lib.dnnl_primitive_attr_destroy(attr);
        return pd;
      }
      const hint = ctx.pd(forwardDesc(wMd));
      if (!hint) return null;
      const d = ctx.opDesc();
      const st = kind === "backwardData"
        ? lib.dnnl_dilated_convolution_backward_data_desc_init(
          d,
          DNNL.alg.convDirect,
          src,
          wMd,
          dst,
          strides,
          dilates,
          padL,
          padR,
        )
        : lib.dnnl_dilated_convolution_backward_weights_desc_init(
          d,
          DNNL.alg.convDirect,
          src,
          wMd,
          null,
          dst,
          strides,
          dilates,
          padL,
          padR,
        );
      if (st !== 0) throw new Error(`oneDNN convolution ${kind} desc_init failed (${st})`);
      const pd = ctx.pd(d, null, hint);
      lib.dnnl_primitive_desc_destroy(hint);
      return pd;
    };
    const pd = make(wAny) ?? make(wUser);
    if (!pd) throw new Error(`oneDNN has no ${kind} convolution for this shape`);
    const wQuery = kind === "backwardWeights" ? DNNL.query.diffWeightsMd : DNNL.query.weightsMd;
    const wMd = ctx.queryMd(pd, wQuery);
    const wUserPtr = Deno.UnsafePointer.of(wUser);
    this.#filter = null;
    if (!ctx.sameLayout(wMd, wUserPtr)) {
      this.#filter = {
        reorder: kind === "backwardWeights"
          ? ctx.reorder(wMd, wUserPtr)
          : ctx.reorder(wUserPtr, wMd),
        scratch: new Uint8Array(ctx.size(wMd) + 64),
      };
    }
    const srcMd = ctx.queryMd(
      pd,
      kind === "backwardData" ? DNNL.query.diffSrcMd : DNNL.query.srcMd,
    );
    const dstMd = ctx.queryMd(pd, kind === "forward" ? DNNL.query.dstMd : DNNL.query.diffDstMd);
    const specs: ArgSpec[] = [
      { arg: kind === "backwardData" ? DNNL.arg.diffSrc : DNNL.arg.src, md: srcMd },
      { arg: kind === "backwardWeights" ? DNNL.arg.diffWeights : DNNL.arg.weights, md: wMd },
      { arg: kind === "forward" ? DNNL.arg.dst : DNNL.arg.diffDst, md: dstMd },
    ];
    if (bias) specs.push({ arg: DNNL.arg.bias, md: biasPtr });
    this.#prim = ctx.primitive(pd, specs);
    this.impl = this.#prim.impl + (this.#filter ? " (filter reordered)" : "");
    lib.dnnl_primitive_desc_destroy(pd);
    this.#ptrs = specs.map(() => null);
  }

  /**
   * Runs on the buffers at `x` (NHWC input or its gradient), `w` (HWIO filter or its
   * gradient), `y` (NHWC output or its gradient) and `bias` (forward with bias only).
   */
  run(
    x: Deno.PointerValue,
    w: Deno.PointerValue,
    y: Deno.PointerValue,
    bias: Deno.PointerValue = null,
  ): void {
    const ptrs = this.#ptrs;
    ptrs[0] = x;
    ptrs[2] = y;
    if (ptrs.length > 3) ptrs[3] = bias;
    if (this.#filter) {
      const scratch = Deno.UnsafePointer.of(this.#filter.scratch);
      ptrs[1] = scratch;
      if (this.#kind === "backwardWeights") {
        this.#prim.execute(ptrs);
        this.#filter.reorder.execute([scratch, w]);
      } else {
        this.#filter.reorder.execute([w, scratch]);
        this.#prim.execute(ptrs);
      }
    } else {
      ptrs[1] = w;
      this.#prim.execute(ptrs);
    }
  }
}

/** The plan for `kind` on geometry `g` (built once per shape, then reused). */
export function convPlan(
  ctx: DnnlContext,
  kind: ConvKind,
  g: ConvGeometry,
  withBias = false,
  postOps: [number, number, number][] = [],
): ConvPlan {
  const key = `conv:${kind}:${Object.values(g).join(",")}:${withBias}:${postOps.flat().join(",")}`;
  return ctx.cached(key, () => new ConvPlan(ctx, kind, g, withBias, postOps));
}
