/**
 * Encoder weights in torchvision's names and layouts, as safetensors: `conv1.weight` as OIHW,
 * linear weights `[out, in]`, `layer1.0.bn1.running_mean`, `num_batches_tracked` as int64, so
 * that `torchvision.models.resnet18().load_state_dict(state, strict=False)` loads an exported
 * ResNet (only `fc.*` missing) and computes the same features; and the reverse import.
 */
import * as tf from "@tensorflow/tfjs";
import type { Encoder } from "./encoder.ts";
import type { Param } from "./params.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.ts";

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

/** OIHW -> HWIO, [out, in] -> [in, out]; int64 counters to float32. */
function fromTorch(p: Param, t: SafeTensor, source: string): Float32Array {
  const want = p.variable.shape;
  const torchShape = p.layout === "hwio"
    ? [want[3], want[2], want[0], want[1]]
    : p.layout === "io"
    ? [want[1], want[0]]
    : want;
  if (t.shape.join(",") !== torchShape.join(",")) {
    throw new Error(
      `${source}: '${p.name}' has shape [${t.shape}], this encoder expects [${torchShape}] ` +
        `(torchvision layout); check depth, stem, width and input channels`,
    );
  }
  const src = t.data instanceof BigInt64Array
    ? Float32Array.from(t.data, (v) => Number(v))
    : Float32Array.from(t.data as Float32Array);
  if (p.layout === "hwio") {
    const [kh, kw, ci, co] = want;
    const out = new Float32Array(src.length);
    for (let o = 0; o < co; o++) {
      for (let i = 0; i < ci; i++) {
        for (let h = 0; h < kh; h++) {
          for (let w = 0; w < kw; w++) {
            out[((h * kw + w) * ci + i) * co + o] = src[((o * ci + i) * kh + h) * kw + w];
          }
        }
      }
    }
    return out;
  }
  if (p.layout === "io") {
    const [ci, co] = want;
    const out = new Float32Array(src.length);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) out[i * co + o] = src[o * ci + i];
    return out;
  }
  return src;
}

function encoderParams(encoder: Encoder): Param[] {
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

/** Writes {@link exportTorchvision}'s file to `path`. */
export async function saveTorchvisionWeights(encoder: Encoder, path: string): Promise<void> {
  await Deno.writeFile(path, await exportTorchvision(encoder));
}

/**
 * Loads torchvision-named weights into `encoder`. `fc.*` is ignored; every encoder parameter
 * and statistic must be present (`num_batches_tracked` may be missing).
 */
export function importTorchvision(encoder: Encoder, bytes: Uint8Array, source = "<bytes>"): void {
  const { tensors } = decodeSafetensors(bytes, source);
  const params = encoderParams(encoder);
  const missing = params
    .filter((p) => !tensors.has(p.name.slice(encoder.prefix.length)))
    .filter((p) => !p.name.endsWith("num_batches_tracked"));
  if (missing.length) {
    throw new Error(
      `${source}: ${missing.length} weights of ${encoder.name} are missing, e.g. ` +
        `${missing.slice(0, 3).map((p) => p.name.slice(encoder.prefix.length)).join(", ")}`,
    );
  }
  for (const p of params) {
    const t = tensors.get(p.name.slice(encoder.prefix.length));
    if (!t) continue;
    const values = fromTorch(p, t, source);
    tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, "float32")));
  }
}

/** Reads a torchvision-named safetensors file into `encoder`. */
export async function loadTorchvisionWeights(encoder: Encoder, path: string): Promise<void> {
  importTorchvision(encoder, await Deno.readFile(path), path);
}
