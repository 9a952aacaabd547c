/** A parameter store's tensors as safetensors entries, read and assigned by name. */
import * as tf from "@tensorflow/tfjs";
import type { ParamStore } from "./params.ts";
import type { SafeTensor } from "./safetensors.ts";

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
