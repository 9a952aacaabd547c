/**
 * Weight files in this project's own names and layouts: every parameter and BN statistic of a
 * {@link ParamStore} as float32 safetensors.
 */
import type { ParamStore } from "./params.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
import { assignStoreTensors, storeTensors } from "./_store_tensors.ts";

/**
 * Saves every parameter and BN statistic of `store` to `path` (safetensors, float32, this
 * project's names and layouts), atomically: a crash leaves the old file or the new one.
 *
 * @param store The parameters, e.g. `model.store`.
 * @param path The file to write.
 *
 * @example Save a model and load it into another with the same config
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, loadWeights, type ModelConfig, saveWeights } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const config: ModelConfig = { encoder: "small", smallWidths: { stem: 2, stages: [3] } };
 * const a = createModel({ ...config, seed: 1 }), b = createModel({ ...config, seed: 2 });
 * await saveWeights(a.store, `${dir}/w.safetensors`);
 * await loadWeights(b.store, `${dir}/w.safetensors`);
 * const name = "encoder.stage1.0.conv.weight";
 * assert.deepEqual(await b.store.get(name).variable.data(), await a.store.get(name).variable.data());
 * a.dispose();
 * b.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveWeights(store: ParamStore, path: string): Promise<void> {
  const bytes = encodeSafetensors(await storeTensors(store), { format: "simclr" });
  await writeFileAtomic(path, bytes, "weights");
}

/**
 * Loads a file written by {@link saveWeights} into `store`: every parameter and statistic must be
 * in the file, with the shape the store has.
 *
 * @param store The parameters to set, e.g. `createModel(config).store` for the run's config.
 * @param path The weights file.
 * @throws {Error} When the file is not safetensors, or a parameter is missing or has another
 * shape (the message names it and asks whether the model configuration is the same).
 *
 * @example A model of another shape does not load
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, loadWeights, saveWeights } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const small = createModel({ encoder: "small", smallWidths: { stem: 2, stages: [] } });
 * const wider = createModel({ encoder: "small", smallWidths: { stem: 3, stages: [] } });
 * await saveWeights(small.store, `${dir}/w.safetensors`);
 * await assert.rejects(loadWeights(wider.store, `${dir}/w.safetensors`), /has shape \[3,3,3,2\]/);
 * small.dispose();
 * wider.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadWeights(store: ParamStore, path: string): Promise<void> {
  const file = decodeSafetensors(await Deno.readFile(path), path);
  assignStoreTensors(store, file.tensors, path);
}
