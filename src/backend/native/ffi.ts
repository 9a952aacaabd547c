/**
 * Deno FFI bindings to the system's oneDNN (Debian `libdnnl2`, 2.x C API), OpenBLAS (Debian
 * `libopenblas0-pthread`) and the OpenMP runtime oneDNN is built on (`libgomp`). Only the
 * symbols the native kernels use. Every call is synchronous (`nonblocking: false`).
 */

const DNNL_SYMBOLS = {
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_memory_desc_equal: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_dilated_convolution_forward_desc_init: {
    // desc, prop, alg, src, weights, bias (nullable), dst, strides, dilates, pad_l, pad_r
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    // desc, alg, diff_src, weights, diff_dst, strides, dilates, pad_l, pad_r
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    // desc, alg, src, diff_weights, diff_bias (nullable), diff_dst, strides, dilates, pad_l, pad_r
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_forward_desc_init: {
    // desc, prop, alg, src, dst, strides, kernel, dilation, pad_l, pad_r
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_backward_desc_init: {
    // desc, alg, diff_src, diff_dst, strides, kernel, dilation, pad_l, pad_r
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_post_ops_append_eltwise: {
    parameters: ["pointer", "f32", "i32", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query: {
    parameters: ["pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_execute: {
    parameters: ["pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_memory_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_sgemm: {
    // transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc (row-major)
    parameters: [
      "u8",
      "u8",
      "i64",
      "i64",
      "i64",
      "f32",
      "pointer",
      "i64",
      "pointer",
      "i64",
      "f32",
      "pointer",
      "i64",
    ],
    result: "i32",
  },
  dnnl_version: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

const BLAS_SYMBOLS = {
  cblas_sgemm: {
    // order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

const OMP_SYMBOLS = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** oneDNN's symbols. */
export type Dnnl = Deno.DynamicLibrary<typeof DNNL_SYMBOLS>["symbols"];
/** OpenBLAS's symbols. */
export type Blas = Deno.DynamicLibrary<typeof BLAS_SYMBOLS>["symbols"];
/** The OpenMP runtime's symbols. */
export type Omp = Deno.DynamicLibrary<typeof OMP_SYMBOLS>["symbols"];

/** Where Debian puts the libraries, tried in order after the plain soname. */
const DIRS = ["", "/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/", "/usr/lib/"];

function open<S extends Deno.ForeignLibraryInterface>(
  names: string[],
  symbols: S,
): { lib: Deno.DynamicLibrary<S>; path: string } {
  const errors: string[] = [];
  for (const name of names) {
    for (const dir of DIRS) {
      try {
        return { lib: Deno.dlopen(dir + name, symbols), path: dir + name };
      } catch (err) {
        const msg = (err as Error).message;
        if (err instanceof Deno.errors.NotCapable || /--allow-ffi|NotCapable/.test(msg)) {
          throw new Error("Deno lacks the FFI permission: run with --allow-ffi (or -A)");
        }
        errors.push(msg);
      }
    }
  }
  throw new Error(`${names[0]} not found (${errors[errors.length - 1] ?? "no path"})`);
}

/** The opened libraries; oneDNN and OpenBLAS are each optional, but one must load. */
export interface NativeLibraries {
  dnnl?: Dnnl;
  dnnlPath?: string;
  dnnlVersion?: string;
  blas?: Blas;
  blasPath?: string;
  blasConfig?: string;
  omp?: Omp;
  /** Why a library did not load, by name. */
  missing: Record<string, string>;
}

let cached: NativeLibraries | undefined;

/** Opens oneDNN, OpenBLAS and libgomp once; throws when FFI is not permitted. */
export function openLibraries(): NativeLibraries {
  if (cached) return cached;
  const missing: Record<string, string> = {};
  const out: NativeLibraries = { missing };
  // OpenMP threads that spin-wait between kernels steal the core the other thread, the
  // JavaScript work between kernels and the augmentation workers need; measured on this
  // 2-core machine under load, 2 threads ran at 124 views/s spinning and 403 passive (1
  // thread: 314 and 304). libgomp reads this once, when oneDNN loads it. The user's own
  // setting wins.
  try {
    if (Deno.env.get("OMP_WAIT_POLICY") === undefined) Deno.env.set("OMP_WAIT_POLICY", "PASSIVE");
  } catch { /* no --allow-env: keep libgomp's default */ }
  let skipDnnl = false;
  try {
    // Testing knob: behave as if oneDNN were not installed (OpenBLAS-only path).
    skipDnnl = Deno.env.get("SIMCLR_NATIVE_NO_ONEDNN") === "1";
  } catch { /* no --allow-env */ }
  try {
    if (skipDnnl) throw new Error("oneDNN skipped (SIMCLR_NATIVE_NO_ONEDNN=1)");
    const { lib, path } = open(["libdnnl.so.2", "libdnnl.so"], DNNL_SYMBOLS);
    out.dnnl = lib.symbols;
    out.dnnlPath = path;
    const v = lib.symbols.dnnl_version();
    if (v) {
      const view = new Deno.UnsafePointerView(v);
      out.dnnlVersion = `${view.getInt32(0)}.${view.getInt32(4)}.${view.getInt32(8)}`;
    }
  } catch (err) {
    if (/--allow-ffi/.test((err as Error).message)) throw err;
    missing.oneDNN = (err as Error).message;
  }
  try {
    const { lib, path } = open(
      ["libopenblas.so.0", "openblas-pthread/libopenblas.so.0", "libopenblas.so"],
      BLAS_SYMBOLS,
    );
    out.blas = lib.symbols;
    out.blasPath = path;
    const c = lib.symbols.openblas_get_config();
    if (c) out.blasConfig = new Deno.UnsafePointerView(c).getCString().trim();
  } catch (err) {
    if (/--allow-ffi/.test((err as Error).message)) throw err;
    missing.OpenBLAS = (err as Error).message;
  }
  try {
    out.omp = open(["libgomp.so.1"], OMP_SYMBOLS).lib.symbols;
  } catch (err) {
    missing.libgomp = (err as Error).message;
  }
  cached = out;
  return out;
}
