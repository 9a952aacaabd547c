/**
 * A thin layer over oneDNN 2.x's C API: memory descriptors, primitive descriptors, primitives
 * whose memory objects are re-pointed at the caller's buffers on every execution, and a cache
 * of primitives by shape. The descriptors are C structs that oneDNN fills in; we only need
 * their sizes (measured against Debian's 2.6 headers) and never read their fields.
 */
import type { Dnnl } from "./ffi.ts";

/** `sizeof(dnnl_memory_desc_t)` in oneDNN 2.6. */
const MD_BYTES = 696;
/** Big enough for any `dnnl_*_desc_t` used here (`dnnl_convolution_desc_t` is 5976 bytes). */
const OP_DESC_BYTES = 8192;

/** oneDNN enum values (oneDNN 2.x `dnnl_types.h`). */
export const DNNL = {
  success: 0,
  f32: 3,
  tag: { any: 1, a: 2, ab: 3, ba: 22, nchw: 5, nhwc: 20, hwio: 30, oihw: 5 },
  prop: { forwardTraining: 64, forwardInference: 96, backward: 128, backwardData: 160 },
  alg: {
    convDirect: 1,
    convAuto: 3,
    relu: 31,
    elu: 63,
    logistic: 175,
    clipV2: 16,
    linear: 127,
    poolMax: 511,
    poolAvgExclude: 1023,
    poolAvgInclude: 767,
  },
  arg: {
    src: 1,
    dst: 17,
    weights: 33,
    bias: 41,
    mean: 49,
    variance: 50,
    scale: 51,
    shift: 52,
    workspace: 64,
    diffSrc: 129,
    diffDst: 145,
    diffWeights: 161,
    diffBias: 169,
    diffScale: 255,
    diffShift: 256,
  },
  query: {
    implInfoStr: 8,
    srcMd: 129,
    diffSrcMd: 130,
    weightsMd: 131,
    diffWeightsMd: 132,
    dstMd: 133,
    diffDstMd: 134,
    workspaceMd: 135,
    execArgMd: 255,
  },
  bnFlags: { useGlobalStats: 1, fuseRelu: 4, useScale: 8, useShift: 16 },
} as const;

const STATUS = [
  "success",
  "out_of_memory",
  "invalid_arguments",
  "unimplemented",
  "iterator_ends",
  "runtime_error",
  "not_required",
];

function check(status: number, what: string): void {
  if (status !== DNNL.success) {
    throw new Error(`oneDNN ${what} failed: ${STATUS[status] ?? status}`);
  }
}

function handle(out: BigUint64Array): Deno.PointerObject {
  const p = Deno.UnsafePointer.create(out[0]);
  if (p === null) throw new Error("oneDNN returned a null handle");
  return p;
}

/** int64 array for `dnnl_dims_t` arguments. */
export function dims(values: readonly number[]): BigInt64Array<ArrayBuffer> {
  return BigInt64Array.from(values, (v) => BigInt(v));
}

/** One argument of a primitive: its `DNNL_ARG_*` and the memory descriptor its buffer has. */
export interface ArgSpec {
  arg: number;
  md: Deno.PointerValue;
}

/** A primitive whose memory objects are re-pointed at fresh buffers before each execution. */
export class Primitive {
  readonly impl: string;
  #prim: Deno.PointerObject;
  #mems: Deno.PointerObject[];
  #args: Uint8Array<ArrayBuffer>;

  constructor(
    private readonly ctx: DnnlContext,
    pd: Deno.PointerObject,
    specs: ArgSpec[],
  ) {
    const lib = ctx.lib;
    this.impl = ctx.implName(pd);
    const out = new BigUint64Array(1);
    check(lib.dnnl_primitive_create(new Uint8Array(out.buffer), pd), "primitive_create");
    this.#prim = handle(out);
    this.#mems = [];
    this.#args = new Uint8Array(16 * specs.length);
    const argView = new DataView(this.#args.buffer);
    specs.forEach((spec, i) => {
      check(
        lib.dnnl_memory_create(new Uint8Array(out.buffer), spec.md, ctx.engine, null),
        "memory_create",
      );
      const mem = handle(out);
      this.#mems.push(mem);
      argView.setInt32(16 * i, spec.arg, true);
      argView.setBigUint64(16 * i + 8, BigInt(Deno.UnsafePointer.value(mem)), true);
    });
  }

  /** Runs with `buffers[i]` as the data of argument `i` (in the order given at creation). */
  execute(buffers: Deno.PointerValue[]): void {
    const lib = this.ctx.lib;
    for (let i = 0; i < this.#mems.length; i++) {
      check(lib.dnnl_memory_set_data_handle(this.#mems[i], buffers[i]), "set_data_handle");
    }
    check(
      lib.dnnl_primitive_execute(this.#prim, this.ctx.stream, this.#mems.length, this.#args),
      "primitive_execute",
    );
  }
}

/** oneDNN's CPU engine and stream, and helpers to build primitives. */
export class DnnlContext {
  readonly engine: Deno.PointerObject;
  readonly stream: Deno.PointerObject;
  readonly #cache = new Map<string, unknown>();

  constructor(readonly lib: Dnnl) {
    const out = new BigUint64Array(1);
    check(lib.dnnl_engine_create(new Uint8Array(out.buffer), 1, /* cpu */ 0n), "engine_create");
    this.engine = handle(out);
    check(
      lib.dnnl_stream_create(new Uint8Array(out.buffer), this.engine, 1 /* default */),
      "stream_create",
    );
    this.stream = handle(out);
  }

  /** A plain f32 memory descriptor (`dims` in oneDNN's logical order, laid out by `tag`). */
  md(logicalDims: readonly number[], tag: number): Uint8Array<ArrayBuffer> {
    const md = new Uint8Array(MD_BYTES);
    check(
      this.lib.dnnl_memory_desc_init_by_tag(
        md,
        logicalDims.length,
        dims(logicalDims),
        DNNL.f32,
        tag,
      ),
      "memory_desc_init_by_tag",
    );
    return md;
  }

  /** A zeroed buffer for an operation descriptor. */
  opDesc(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(OP_DESC_BYTES);
  }

  /** Creates a primitive descriptor; returns null when oneDNN has no implementation. */
  pd(
    opDesc: Uint8Array<ArrayBuffer>,
    attr: Deno.PointerValue = null,
    hint: Deno.PointerValue = null,
  ): Deno.PointerObject | null {
    const out = new BigUint64Array(1);
    const status = this.lib.dnnl_primitive_desc_create(
      new Uint8Array(out.buffer),
      opDesc,
      attr,
      this.engine,
      hint,
    );
    if (status === 3 /* unimplemented */) return null;
    check(status, "primitive_desc_create");
    return handle(out);
  }

  /** Attributes with eltwise post-ops `[alg, alpha, beta]`; null when there are none. */
  attr(postOps: [number, number, number][]): Deno.PointerObject | null {
    if (postOps.length === 0) return null;
    const out = new BigUint64Array(1);
    check(this.lib.dnnl_post_ops_create(new Uint8Array(out.buffer)), "post_ops_create");
    const ops = handle(out);
    for (const [alg, alpha, beta] of postOps) {
      check(this.lib.dnnl_post_ops_append_eltwise(ops, 1, alg, alpha, beta), "append_eltwise");
    }
    check(this.lib.dnnl_primitive_attr_create(new Uint8Array(out.buffer)), "attr_create");
    const attr = handle(out);
    check(this.lib.dnnl_primitive_attr_set_post_ops(attr, ops), "attr_set_post_ops");
    this.lib.dnnl_post_ops_destroy(ops);
    return attr;
  }

  /** The memory descriptor a primitive descriptor chose for `query` (a `DNNL.query.*Md`). */
  queryMd(pd: Deno.PointerObject, query: number, index = 0): Deno.PointerValue {
    return this.lib.dnnl_primitive_desc_query_md(pd, query, index);
  }

  /** The memory descriptor a primitive descriptor expects for argument `arg` (`DNNL.arg.*`). */
  argMd(pd: Deno.PointerObject, arg: number): Deno.PointerValue {
    return this.lib.dnnl_primitive_desc_query_md(pd, DNNL.query.execArgMd, arg);
  }

  /** Whether two memory descriptors describe the same layout. */
  sameLayout(a: Deno.PointerValue, b: Deno.PointerValue): boolean {
    return this.lib.dnnl_memory_desc_equal(a, b) !== 0;
  }

  /** Bytes a memory descriptor needs. */
  size(md: Deno.PointerValue): number {
    return Number(this.lib.dnnl_memory_desc_get_size(md));
  }

  /** The implementation's name, e.g. `brg:avx512_core` or `jit:avx512_core`. */
  implName(pd: Deno.PointerObject): string {
    const out = new BigUint64Array(1);
    if (
      this.lib.dnnl_primitive_desc_query(
        pd,
        DNNL.query.implInfoStr,
        0,
        new Uint8Array(out.buffer),
      ) !== 0
    ) {
      return "?";
    }
    const p = Deno.UnsafePointer.create(out[0]);
    return p ? new Deno.UnsafePointerView(p).getCString() : "?";
  }

  /** A primitive from `pd` with its arguments (the primitive keeps its own copy of `pd`). */
  primitive(pd: Deno.PointerObject, specs: ArgSpec[]): Primitive {
    return new Primitive(this, pd, specs);
  }

  /** A reorder from layout `src` to layout `dst` (both memory descriptors). */
  reorder(src: Deno.PointerValue, dst: Deno.PointerValue): Primitive {
    const out = new BigUint64Array(1);
    check(
      this.lib.dnnl_reorder_primitive_desc_create(
        new Uint8Array(out.buffer),
        src,
        this.engine,
        dst,
        this.engine,
        null,
      ),
      "reorder_primitive_desc_create",
    );
    const pd = handle(out);
    const prim = this.primitive(pd, [{ arg: DNNL.arg.src, md: src }, {
      arg: DNNL.arg.dst,
      md: dst,
    }]);
    this.lib.dnnl_primitive_desc_destroy(pd);
    return prim;
  }

  /**
   * Threads the primitives are built for: oneDNN fixes a primitive's thread count when it is
   * created, so primitives are cached per thread count.
   */
  threads = 1;

  /** Memoizes `make()` under `key` and the thread count (primitives are built once per shape). */
  cached<T>(key: string, make: () => T): T {
    key = `${this.threads}:${key}`;
    let v = this.#cache.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.#cache.set(key, v);
    }
    return v;
  }

  /** Pointer to a typed array the caller keeps alive for the duration of the call. */
  static ptr(a: ArrayBufferView): Deno.PointerValue {
    return Deno.UnsafePointer.of(a as Uint8Array<ArrayBuffer>);
  }
}
