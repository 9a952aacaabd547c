/**
 * Weight files in this project's own names and layouts: every parameter and BN statistic of a
 * {@link ParamStore} as float32 safetensors.
 */
import * as tf from "@tensorflow/tfjs";
import type { ParamStore } from "./params.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.ts";

/** Reads every parameter and buffer (asynchronously: works on every backend). */
export async function storeTensors(store: ParamStore): Promise<Map<string, SafeTensor>> {
  const out = new Map<string, SafeTensor>();
  for (const p of store.all()) {
    const data = await p.variable.data() as Float32Array;
    out.set(p.name, { dtype: "F32", shape: p.variable.shape, data });
  }
  return out;
}

/** Sets every parameter and buffer from `tensors`; all must be present with matching shapes. */
export function assignStoreTensors(
  store: ParamStore,
  tensors: Map<string, SafeTensor>,
  source: string,
): void {
  const missing = store.all().filter((p) => !tensors.has(p.name)).map((p) => p.name);
  if (missing.length) {
    throw new Error(
      `${source}: ${missing.length} parameters missing (e.g. ${missing.slice(0, 3).join(", ")}); ` +
        `was it saved from the same model configuration?`,
    );
  }
  for (const p of store.all()) {
    const t = tensors.get(p.name)!;
    if (t.shape.join(",") !== p.variable.shape.join(",")) {
      throw new Error(
        `${source}: '${p.name}' has shape [${t.shape}], the model expects [${p.variable.shape}]`,
      );
    }
    tf.tidy(() =>
      p.variable.assign(tf.tensor(Float32Array.from(t.data as Float32Array), t.shape, "float32"))
    );
  }
}

/** Saves every parameter and BN statistic of `store` to `path` (safetensors, f32), atomically. */
export async function saveWeights(store: ParamStore, path: string): Promise<void> {
  const bytes = encodeSafetensors(await storeTensors(store), { format: "simclr" });
  await writeFileAtomic(path, bytes, "weights");
}

/** Loads a file written by {@link saveWeights} into `store`. */
export async function loadWeights(store: ParamStore, path: string): Promise<void> {
  const file = decodeSafetensors(await Deno.readFile(path), path);
  assignStoreTensors(store, file.tensors, path);
}
