/**
 * Access to the `wasm` backend's memory: zero-copy `Float32Array` views of tensors, tensors that
 * alias part of another tensor's memory, and plain allocation/disposal of kernel outputs.
 *
 * Zero-copy recipe (for kernels written elsewhere, e.g. native code through `Deno.dlopen`):
 *
 * ```text
 * const backend = tf.backend() as BackendWasm;            // after startBackend("wasm")
 * const view = f32(backend, tensor);                       // Float32Array on the wasm heap
 * // = new Float32Array(backend.wasm.HEAPU8.buffer, backend.dataIdMap.get(t.dataId).memoryOffset, t.size)
 * // (BackendWasm's own `typedArrayFromHeap(tensorInfo)` does the same.)
 * const out = alloc(backend, shape);                       // uninitialised output tensor info
 * lib.symbols.kernel(Deno.UnsafePointer.of(view), Deno.UnsafePointer.of(f32(backend, out)));
 * return out;                                              // from a kernelFunc; or
 * // tf.engine().makeTensorFromTensorInfo(out) outside one
 * ```
 *
 * Every view must be taken again after anything that can allocate in the wasm heap (any
 * kernel call, `makeOutput`, `tf.tensor`): growth replaces the `ArrayBuffer` and detaches the
 * old views. The heap is one `WebAssembly.Memory` (`backend.wasm.asm.memory`), little-endian,
 * 4-byte aligned tensor offsets; another wasm module may import it.
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A tensor as kernels see it: `dataId`, `shape`, `dtype`. */
export type Info = tf.TensorInfo;

/** The parts of the wasm backend's instance that its typings hide. */
interface Internals {
  dataIdNextNumber: number;
  wasm: { HEAPU8: Uint8Array };
}

/** The wasm heap's current bytes (re-read after any allocation: growth replaces the buffer). */
export function heapBytes(backend: BackendWasm): Uint8Array {
  return (backend as unknown as Internals).wasm.HEAPU8;
}

/**
 * A `Float32Array` over `info`'s bytes in the wasm heap, without copying. Writes go straight to
 * the tensor. Take it again after anything that may allocate (memory growth detaches the old
 * buffer): never keep it across kernel calls.
 */
export function f32(backend: BackendWasm, info: Info): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(info.dataId)!;
  const size = info.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(heapBytes(backend).buffer, memoryOffset, size);
}

/** The byte offset of `info`'s data in the wasm heap. */
export function offsetOf(backend: BackendWasm, info: Info): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** Allocates an uninitialised float32 tensor in the wasm heap. */
export function alloc(backend: BackendWasm, shape: number[]): Info {
  return backend.makeOutput(shape, "float32");
}

/** Allocates a float32 tensor filled with zeros. */
export function zeros(backend: BackendWasm, shape: number[]): Info {
  const out = alloc(backend, shape);
  f32(backend, out).fill(0);
  return out;
}

/** Releases a kernel intermediate (one made by {@link alloc} or by another kernel). */
export function free(backend: BackendWasm, info: Info): void {
  backend.disposeData(info.dataId);
}

/**
 * A tensor that aliases `size(shape)` floats of `parent` starting at element `offset`, so stock
 * kernels can read (or write) part of a tensor without a copy. Release it with
 * {@link freeAlias}, never with `disposeData` (that would free the parent's memory).
 */
export function alias(backend: BackendWasm, parent: Info, offset: number, shape: number[]): Info {
  const memoryOffset = offsetOf(backend, parent) + 4 * offset;
  const id = (backend as unknown as Internals).dataIdNextNumber++;
  const dataId = { id };
  const size = shape.reduce((a, b) => a * b, 1);
  backend.dataIdMap.set(dataId, { id, memoryOffset, shape, dtype: "float32", refCount: 1 });
  backend.wasm.tfjs.registerTensor(id, size, memoryOffset);
  return { dataId, shape, dtype: "float32" };
}

/** Forgets an {@link alias} (and the XNNPACK operators cached on it) without freeing memory. */
export function freeAlias(backend: BackendWasm, view: Info): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}
