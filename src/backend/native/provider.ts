/**
 * The native CPU compute provider: oneDNN (convolutions, sgemm) and OpenBLAS (sgemm when
 * oneDNN is absent) opened through Deno FFI, running on the wasm backend's memory in place.
 *
 * Measured on this machine kind (AMD EPYC with AVX-512, 1 thread): oneDNN's direct
 * convolutions reach 170-270 GFLOP/s on the benchmark net's 3x3 layers (wasm: 25-30);
 * `dnnl_sgemm` runs 1.3-2x faster than Debian's OpenBLAS 0.3.21 (which picks its Haswell
 * kernels here) on every product measured, transposed or not, so oneDNN does both when present.
 */
import { DnnlContext } from "./dnnl.ts";
import { openLibraries } from "./ffi.ts";
import { blasGemm, dnnlGemm, type Gemm } from "./gemm.ts";
import { registerNativeKernels, setNativeKernelsEnabled } from "./kernels.ts";
import {
  type NativeOptions,
  type NativeProvider,
  NativeUnavailableError,
} from "./provider_interface.ts";

const HOW = "apt-get install libdnnl2 libopenblas0-pthread";

/** Threads by default: the machine's cores minus one per two data workers, at least one. */
export function defaultThreads(dataWorkers = 0): number {
  const cores = navigator.hardwareConcurrency || 1;
  return Math.max(1, cores - Math.ceil(dataWorkers / 2));
}

/** Opens the system's native libraries; throws a one-line reason and fix when it cannot. */
export function openNativeProvider(options: NativeOptions): NativeProvider {
  if (typeof Deno.dlopen !== "function") {
    throw new NativeUnavailableError("this runtime has no Deno.dlopen (FFI)");
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new NativeUnavailableError(
      "Deno lacks the FFI permission: run with --allow-ffi (or -A) to enable it",
    );
  }
  let libs;
  try {
    libs = openLibraries();
  } catch (err) {
    throw new NativeUnavailableError(`${(err as Error).message} to enable it`);
  }
  if (!libs.dnnl && !libs.blas) {
    throw new NativeUnavailableError(
      `neither oneDNN nor OpenBLAS loaded (${libs.missing.oneDNN}); install them: ${HOW}`,
    );
  }
  // One oneDNN context, sgemm and kernel registration per process: the kernels registered
  // for `wasm` are global, so every provider must drive the same context and threads.
  if (!shared) {
    const dnnl = libs.dnnl ? new DnnlContext(libs.dnnl) : undefined;
    const gemm = libs.dnnl ? dnnlGemm(libs.dnnl) : blasGemm(libs.blas!);
    const omp = libs.omp, blas = libs.blas;
    shared = {
      dnnl,
      gemm,
      threads: 1,
      kernels: undefined,
      setThreads(t: number) {
        omp?.omp_set_num_threads(t);
        blas?.openblas_set_num_threads(t);
        if (dnnl) dnnl.threads = t;
        this.threads = t;
      },
      parts: [
        libs.dnnl
          ? `oneDNN ${libs.dnnlVersion ?? "2"} convolutions`
          : "no oneDNN (no conv kernels)",
        gemm.name,
      ],
    };
  }
  const s = shared;
  // This provider's thread count takes effect when it registers (or on setThreads), so probing
  // (listWorkingBackends) does not change the threads of a running native backend.
  let threads = Math.max(1, Math.floor(options.threads ?? defaultThreads(options.dataWorkers)));
  const provider: NativeProvider = {
    get device() {
      return `${s.parts.join(" + ")} (native, ${threads} thread${threads > 1 ? "s" : ""})`;
    },
    get threads() {
      return threads;
    },
    get kernels() {
      return s.kernels;
    },
    setThreads(n: number) {
      threads = Math.max(1, Math.floor(n));
      s.setThreads(threads);
    },
    setEnabled: setNativeKernelsEnabled,
    register() {
      s.setThreads(threads);
      s.kernels ??= registerNativeKernels({ dnnl: s.dnnl, gemm: s.gemm });
      setNativeKernelsEnabled(true);
    },
  };
  return provider;
}

interface Shared {
  dnnl?: DnnlContext;
  gemm: Gemm;
  threads: number;
  kernels: string[] | undefined;
  setThreads(t: number): void;
  parts: string[];
}

let shared: Shared | undefined;
