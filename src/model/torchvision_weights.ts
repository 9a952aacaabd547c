/**
 * Encoder weights in torchvision's names and layouts, as safetensors: `conv1.weight` as OIHW,
 * linear weights `[out, in]`, `layer1.0.bn1.running_mean`, `num_batches_tracked` as int64, so
 * that `torchvision.models.resnet18().load_state_dict(state, strict=False)` loads an exported
 * ResNet (only `fc.*` missing) and computes the same features (`deno task export`).
 */
import type { Encoder } from "./encoder.ts";
import type { Param } from "./params.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import { encodeSafetensors, type SafeTensor } from "./safetensors.ts";
import { encoderParams } from "./_encoder_params.ts";

/** HWIO -> OIHW, [in, out] -> [out, in]. */
function toTorch(p: Param, data: Float32Array): SafeTensor {
  const shape = p.variable.shape;
  if (p.name.endsWith("num_batches_tracked")) {
    return { dtype: "I64", shape: [], data: BigInt64Array.of(BigInt(Math.round(data[0]))) };
  }
  if (p.layout === "hwio") {
    const [kh, kw, ci, co] = shape;
    const out = new Float32Array(data.length);
    for (let h = 0; h < kh; h++) {
      for (let w = 0; w < kw; w++) {
        for (let i = 0; i < ci; i++) {
          for (let o = 0; o < co; o++) {
            out[((o * ci + i) * kh + h) * kw + w] = data[((h * kw + w) * ci + i) * co + o];
          }
        }
      }
    }
    return { dtype: "F32", shape: [co, ci, kh, kw], data: out };
  }
  if (p.layout === "io") {
    const [ci, co] = shape;
    const out = new Float32Array(data.length);
    for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[o * ci + i] = data[i * co + o];
    return { dtype: "F32", shape: [co, ci], data: out };
  }
  return { dtype: "F32", shape, data };
}

/**
 * The encoder's weights as a torchvision-compatible safetensors file (no `fc`): torchvision's
 * names without the store prefix, conv weights OIHW, linear weights `[out, in]`,
 * `num_batches_tracked` as int64. Only the encoder's parameters, not the head's.
 *
 * @param encoder The encoder, e.g. `model.encoder`.
 * @returns The file's bytes.
 *
 * @example The header names torchvision's keys and layouts
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { exportTorchvision, resnet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = resnet("resnet18", { stem: "cifar", widthMultiplier: 0.125 });
 * const bytes = await exportTorchvision(encoder);
 * const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
 * assert.deepEqual(header["conv1.weight"].shape, [8, 3, 3, 3]); // OIHW
 * assert.equal(header["bn1.num_batches_tracked"].dtype, "I64");
 * assert.equal(header["fc.weight"], undefined);
 * encoder.store.dispose();
 * ```
 */
export async function exportTorchvision(encoder: Encoder): Promise<Uint8Array> {
  const tensors: [string, SafeTensor][] = [];
  for (const p of encoderParams(encoder)) {
    const data = await p.variable.data() as Float32Array;
    tensors.push([p.name.slice(encoder.prefix.length), toTorch(p, data)]);
  }
  return encodeSafetensors(tensors, { format: "pt", source: `simclr ${encoder.name}` });
}

/**
 * Writes {@link exportTorchvision}'s file to `path` (atomically), as `deno task export` does;
 * `torchvision.models.resnet18().load_state_dict(state, strict=False)` loads it in PyTorch.
 *
 * @param encoder The encoder, e.g. `model.encoder`.
 * @param path The `.safetensors` file to write.
 *
 * @example Export a tiny ResNet's encoder
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, exportTorchvision, saveTorchvisionWeights } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const model = createModel({ encoder: "resnet18", stem: "cifar", widthMultiplier: 0.125 });
 * await saveTorchvisionWeights(model.encoder, `${dir}/resnet18.safetensors`);
 * const written = await Deno.readFile(`${dir}/resnet18.safetensors`);
 * assert.deepEqual(written, await exportTorchvision(model.encoder));
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveTorchvisionWeights(encoder: Encoder, path: string): Promise<void> {
  await writeFileAtomic(path, await exportTorchvision(encoder), "encoder weights");
}
