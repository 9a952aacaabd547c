/** Starting TensorFlow.js's WebAssembly backend with this project's extra kernels. */
import "@tensorflow/tfjs-backend-wasm";
import { activate } from "./activate.ts";
import { registerWasmKernels } from "./wasm/register.ts";

let registered = false;

/** Registers the project's wasm kernels (once) and makes `wasm` the active backend. */
export async function startWasm(): Promise<{ device: string }> {
  if (!registered) {
    registerWasmKernels();
    registered = true;
  }
  await activate("wasm");
  return { device: "WebAssembly (XNNPACK, SIMD, 1 thread) + project conv-gradient kernels" };
}
