/** Separable Gaussian blur with reflect padding (torchvision's `gaussian_blur`). */

import type { FloatImage } from "./image.ts";

/**
 * The kernel side for an image side: 10% of it (by default), made odd as SimCLR does
 * (radius = floor(floor(side * fraction) / 2)); 224 gives 23, 32 gives 3.
 *
 * @example
 * ```ts
 * blurKernelSize(224); // 23
 * ```
 */
export function blurKernelSize(side: number, fraction = 0.1): number {
  const radius = Math.floor(Math.floor(side * fraction) / 2);
  return 2 * radius + 1;
}

/**
 * The normalized 1-D Gaussian of `size` taps (odd) at positions -r..r.
 *
 * @example
 * ```ts
 * gaussianKernel(3, 1); // [0.274, 0.452, 0.274]
 * ```
 */
export function gaussianKernel(size: number, sigma: number): Float32Array {
  if (!(size >= 1 && size % 2 === 1)) {
    throw new RangeError(`gaussianKernel: size ${size} must be a positive odd integer`);
  }
  if (!(sigma > 0)) throw new RangeError(`gaussianKernel: sigma ${sigma} must be > 0`);
  const r = (size - 1) / 2;
  const k = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const x = (i - r) / sigma;
    total += k[i] = Math.exp(-0.5 * x * x);
  }
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = k[i] / total;
  return out;
}

/**
 * Index `i` reflected into [0, n) without repeating the edge (`-1 -> 1`), as torch's "reflect".
 *
 * @example
 * ```ts
 * reflectIndex(-2, 5); // 2
 * reflectIndex(5, 5); // 3
 * ```
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = Math.abs(i) % period;
  return i >= n ? period - i : i;
}

/**
 * Reusable buffers for {@link gaussianBlur}.
 *
 * @example
 * ```ts
 * const ws = new BlurWorkspace();
 * gaussianBlur(img, 1.2, 23, ws);
 * ```
 */
export class BlurWorkspace {
  plane = new Float32Array(0);
  line = new Float32Array(0);
  rows = new Int32Array(0);
}

/**
 * Blurs in place with a `kernelSize` Gaussian of `sigma`: a horizontal then a vertical pass,
 * edges reflected.
 *
 * @example
 * ```ts
 * const img = floatImage(5, 5, 1);
 * img.data[12] = 1; // impulse in the centre
 * gaussianBlur(img, 1, 3); // the centre 3x3 now holds the outer product of the kernel
 * ```
 */
export function gaussianBlur(
  img: FloatImage,
  sigma: number,
  kernelSize: number,
  ws: BlurWorkspace = new BlurWorkspace(),
): FloatImage {
  const kernel = gaussianKernel(kernelSize, sigma);
  const { width: W, height: H, channels: C, data } = img;
  const r = (kernelSize - 1) / 2;
  const K = kernelSize;
  const rowLen = W * C;
  if (ws.plane.length < data.length) ws.plane = new Float32Array(data.length);
  if (ws.line.length < (W + 2 * r) * C) ws.line = new Float32Array((W + 2 * r) * C);
  if (ws.rows.length < K) ws.rows = new Int32Array(K);
  const plane = ws.plane, line = ws.line, rows = ws.rows;
  // Horizontal: each row padded into `line`, convolved into `plane`.
  for (let y = 0; y < H; y++) {
    const base = y * rowLen;
    for (let x = -r; x < W + r; x++) {
      const s = base + reflectIndex(x, W) * C, d = (x + r) * C;
      for (let c = 0; c < C; c++) line[d + c] = data[s + c];
    }
    if (C === 3) {
      for (let x = 0; x < W; x++) {
        let a = 0, b = 0, c = 0;
        for (let k = 0, s = x * 3; k < K; k++, s += 3) {
          const w = kernel[k];
          a += w * line[s];
          b += w * line[s + 1];
          c += w * line[s + 2];
        }
        const d = base + x * 3;
        plane[d] = a;
        plane[d + 1] = b;
        plane[d + 2] = c;
      }
    } else {
      for (let x = 0; x < W; x++) {
        let a = 0;
        for (let k = 0; k < K; k++) a += kernel[k] * line[x + k];
        plane[base + x] = a;
      }
    }
  }
  // Vertical: each output row accumulates K reflected rows of `plane`.
  for (let y = 0; y < H; y++) {
    for (let k = 0; k < K; k++) rows[k] = reflectIndex(y + k - r, H) * rowLen;
    const d = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      let a = 0;
      for (let k = 0; k < K; k++) a += kernel[k] * plane[rows[k] + i];
      data[d + i] = a;
    }
  }
  return img;
}
