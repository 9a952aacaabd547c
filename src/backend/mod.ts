/**
 * Choosing and starting a TensorFlow.js compute backend: `tensorflow`
 * (`@tensorflow/tfjs-node(-gpu)`), `webgpu`, `native` (wasm plus oneDNN/OpenBLAS kernels through
 * FFI), `wasm` or `cpu`, or `auto` for the fastest that starts on this machine.
 *
 * The training path calls {@link startBackend} once, with the config's `train.backend`, before it
 * builds the model; {@link listWorkingBackends} tells what this machine can run.
 *
 * @example Start the reference backend and compute on it
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { startBackend } from "@simclr/streams/backend";
 *
 * const info = await startBackend("cpu");
 * assert.equal(info.tfBackend, "cpu");
 * const y = tf.tidy(() => tf.tensor2d([[1, 2]]).matMul(tf.tensor2d([[3], [4]])));
 * assert.deepEqual(Array.from(await y.data()), [11]);
 * y.dispose();
 * ```
 *
 * @module
 */

export { listWorkingBackends, startBackend, type StartOptions } from "./start.ts";
export type { BackendInfo, BackendName, BackendRequest } from "./info.ts";
