/** Cropping an NHWC tensor's spatial axes in the wasm heap (a row-wise copy, no readback). */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { alloc, f32, type Info } from "./heap.ts";

/** Rows `[top, top + height)` and columns `[left, left + width)` of NHWC `x`, as a new tensor. */
export function cropSpatial(
  backend: BackendWasm,
  x: Info,
  top: number,
  height: number,
  left: number,
  width: number,
): Info {
  const [n, h, w, c] = x.shape;
  const out = alloc(backend, [n, height, width, c]);
  const src = f32(backend, x);
  const dst = f32(backend, out);
  const rowLen = width * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) {
      const s = ((b * h + top + i) * w + left) * c;
      dst.set(src.subarray(s, s + rowLen), o);
      o += rowLen;
    }
  }
  return out;
}
