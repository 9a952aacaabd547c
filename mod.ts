/**
 * SimCLR self-supervised pretraining of image encoders, as composable WHATWG streams on Deno
 * and TensorFlow.js.
 *
 * @example
 * ```ts
 * import { startBackend } from "./mod.ts";
 * const info = await startBackend("auto");
 * console.log(`training on ${info.name}: ${info.device}`);
 * ```
 * @module
 */

export * from "./src/backend/mod.ts";
