/**
 * The reverse of `exportTorchvision` (src/model/torchvision_weights.ts), for the tests only: a
 * torchvision-named safetensors file (OIHW convs, `[out, in]` linears, int64 counters) read into
 * an encoder, so a state_dict written by torchvision itself checks the export's layout from the
 * other side. No command or config starts from torchvision weights.
 */
import * as tf from "@tensorflow/tfjs";
import type { Encoder } from "../../src/model/encoder.ts";
import type { Param } from "../../src/model/params.ts";
import { decodeSafetensors, type SafeTensor } from "../../src/model/safetensors.ts";
import { encoderParams } from "../../src/model/_encoder_params.ts";

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
