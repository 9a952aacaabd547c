/**
 * Zero-copy access to the wasm backend's tensors: native kernels read and write the wasm
 * heap at each tensor's offset. Take pointers only after the kernel's last allocation (an
 * allocation may grow the wasm memory, which moves it).
 */
import type { TensorInfo } from "@tensorflow/tfjs";

/** The parts of tfjs-backend-wasm's `BackendWasm` the native kernels use. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: unknown, force?: boolean): boolean;
}

/** Pointers into the wasm heap, valid until the next allocation. */
export class Heap {
  readonly #base: bigint;

  constructor(private readonly backend: WasmBackend) {
    const heap = backend.wasm.HEAPU8 as Uint8Array<ArrayBuffer>;
    this.#base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(heap)));
  }

  /** The address of `t`'s first element. */
  ptr(t: TensorInfo): Deno.PointerValue {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data) throw new TypeError("native kernel: tensor is not on the wasm backend");
    return Deno.UnsafePointer.create(this.#base + BigInt(data.memoryOffset));
  }

  /** A `Float32Array` view of `t` (for the few element-wise loops done in JavaScript). */
  f32(t: TensorInfo): Float32Array {
    const data = this.backend.dataIdMap.get(t.dataId)!;
    let n = 1;
    for (const d of t.shape) n *= d;
    return new Float32Array(this.backend.wasm.HEAPU8.buffer, data.memoryOffset, n);
  }
}
