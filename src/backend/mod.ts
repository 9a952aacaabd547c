/**
 * Choosing and starting a TensorFlow.js backend.
 * @module
 */

/**
 * Starts a backend by name (`auto | tensorflow | webgpu | native | wasm | cpu`) and makes it
 * TensorFlow.js's active backend.
 *
 * @example
 * ```ts
 * import { startBackend } from "./mod.ts";
 * const info = await startBackend("wasm");
 * console.log(info.device); // "WebAssembly (XNNPACK, SIMD, 1 thread) + ..."
 * ```
 */
export { listWorkingBackends, startBackend, type StartOptions } from "./start.ts";
/**
 * What a started backend reports: its name, device and notes.
 *
 * @example
 * ```ts
 * import { type BackendInfo, startBackend } from "./mod.ts";
 * const info: BackendInfo = await startBackend("cpu");
 * ```
 */
export type { BackendInfo } from "./info.ts";
/**
 * The backend names accepted by `--backend`.
 *
 * @example
 * ```ts
 * import { BACKEND_NAMES, isBackendRequest } from "./mod.ts";
 * console.log(BACKEND_NAMES, isBackendRequest("auto")); // [...], true
 * ```
 */
export { BACKEND_NAMES, type BackendName, type BackendRequest, isBackendRequest } from "./names.ts";
