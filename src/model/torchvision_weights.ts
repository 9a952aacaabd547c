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

/** The encoder's own parameters and statistics (not the head's), in store order. */
export function encoderParams(encoder: Encoder): Param[] {
  return encoder.store.all().filter((p) => p.name.startsWith(encoder.prefix));
}

/** The encoder's weights as a torchvision-compatible safetensors file (no `fc`). */
export async function exportTorchvision(encoder: Encoder): Promise<Uint8Array> {
  const tensors: [string, SafeTensor][] = [];
  for (const p of encoderParams(encoder)) {
    const data = await p.variable.data() as Float32Array;
    tensors.push([p.name.slice(encoder.prefix.length), toTorch(p, data)]);
  }
  return encodeSafetensors(tensors, { format: "pt", source: `simclr ${encoder.name}` });
}

/** Writes {@link exportTorchvision}'s file to `path` (atomically). */
export async function saveTorchvisionWeights(encoder: Encoder, path: string): Promise<void> {
  await writeFileAtomic(path, await exportTorchvision(encoder), "encoder weights");
}
