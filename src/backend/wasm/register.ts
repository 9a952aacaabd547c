/** Registers the project's kernels for TensorFlow.js's `wasm` backend. */
export function registerWasmKernels(): void {
}
