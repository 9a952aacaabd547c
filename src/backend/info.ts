/** What a started backend reports, and the names of the backends. */

/**
 * A concrete TensorFlow.js compute backend this project can start: `tensorflow`
 * (`@tensorflow/tfjs-node(-gpu)`), `webgpu`, `native` (wasm plus oneDNN/OpenBLAS kernels through
 * FFI), `wasm`, or `cpu` (TensorFlow.js's JavaScript reference kernels).
 *
 * @example Start a backend by its name
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BackendName, startBackend } from "@simclr/streams/backend";
 *
 * const name: BackendName = "cpu";
 * const info = await startBackend(name);
 * assert.equal(info.name, name);
 * ```
 */
export type BackendName = "tensorflow" | "webgpu" | "native" | "wasm" | "cpu";

/**
 * What a user may ask for: a concrete {@link BackendName}, or `auto` to pick the fastest that
 * starts (`tensorflow`, else a hardware `webgpu` adapter, else `native`, else `wasm`).
 *
 * @example `auto` resolves to a concrete backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BackendRequest, startBackend } from "@simclr/streams/backend";
 *
 * const request: BackendRequest = "auto";
 * const info = await startBackend(request);
 * assert.notEqual(info.name, "auto");
 * assert.ok(["tensorflow", "webgpu", "native", "wasm"].includes(info.name));
 * await startBackend("cpu"); // back to the reference kernels
 * ```
 */
export type BackendRequest = BackendName | "auto";

/**
 * What a started backend reports about itself ({@link startBackend}'s result): which backend
 * runs, the TensorFlow.js backend under it, the device, and notes on what `auto` skipped.
 *
 * @example Read what started
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BackendInfo, startBackend } from "@simclr/streams/backend";
 *
 * const info: BackendInfo = await startBackend("cpu");
 * assert.equal(info.tfBackend, "cpu");
 * assert.match(info.device, /reference kernels/);
 * assert.deepEqual(info.notes, []);
 * ```
 */
export interface BackendInfo {
  /** The backend that runs (after `auto` resolved). */
  name: BackendName;
  /** The TensorFlow.js backend registered under the hood (`native` runs on `wasm`). */
  tfBackend: string;
  /** A one-line description of the device: adapter, CPU threads, library versions. */
  device: string;
  /** For WebGPU: true when the adapter is a software rasterizer (lavapipe, SwiftShader, WARP). */
  softwareFallback?: boolean;
  /** Notes collected while starting: why `auto` skipped a backend, fallbacks taken. */
  notes: string[];
}
