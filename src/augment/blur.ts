/** Separable Gaussian blur with reflect padding (torchvision's `gaussian_blur`). */

import type { FloatImage } from "./image.ts";

/**
 * The kernel side for an image side: 10% of it (by default), made odd as SimCLR does
 * (radius = floor(floor(side * fraction) / 2)); 224 gives 23, 32 gives 3.
 *
 * For example:
 * ```text
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
 * For example:
 * ```text
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
 * For example:
 * ```text
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
 * For example:
 * ```text
 * const ws = new BlurWorkspace();
 * gaussianBlur(img, 1.2, 23, ws);
 * ```
 */
export class BlurWorkspace {
  /** The horizontal pass's result, one image. */
  plane: Float32Array = new Float32Array(0);
  /** One row with its reflected margins. */
  line: Float32Array = new Float32Array(0);
}

/**
 * Taps whose normalized weight is below this are skipped: their total effect (< 2e-8) is below
 * float32 resolution, and small sigmas then cost fewer taps than the full 10%-of-side kernel.
 */
const NEGLIGIBLE = 2 ** -30;

/**
 * Blurs in place with a `kernelSize` Gaussian of `sigma`: a horizontal then a vertical pass,
 * edges reflected. The kernel is symmetric, so mirrored taps share one multiply.
 *
 * For example:
 * ```text
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
  const full = gaussianKernel(kernelSize, sigma);
  const center = (kernelSize - 1) / 2;
  let r = center;
  while (r > 0 && full[center + r] < NEGLIGIBLE) r--;
  // half[j] = weight at distance j from the centre.
  const half = full.subarray(center, center + r + 1);
  if (r === 0) return img; // every other tap is negligible, and the centre weight is 1
  const { width: W, height: H, channels: C, data } = img;
  const rowLen = W * C;
  if (ws.plane.length < data.length) ws.plane = new Float32Array(data.length);
  if (ws.line.length < (W + 2 * r) * C) ws.line = new Float32Array((W + 2 * r) * C);
  const plane = ws.plane, line = ws.line;
  const w0 = half[0];
  // Horizontal: each row padded into `line`, convolved into `plane`.
  for (let y = 0; y < H; y++) {
    const base = y * rowLen;
    line.set(data.subarray(base, base + rowLen), r * C);
    for (let j = 1; j <= r; j++) {
      const left = base + reflectIndex(-j, W) * C, right = base + reflectIndex(W - 1 + j, W) * C;
      for (let c = 0; c < C; c++) {
        line[(r - j) * C + c] = data[left + c];
        line[(r + W - 1 + j) * C + c] = data[right + c];
      }
    }
    if (C === 3) {
      for (let x = 0; x < W; x++) {
        const m = (x + r) * 3;
        let a = w0 * line[m], b = w0 * line[m + 1], c = w0 * line[m + 2];
        for (let j = 1, lo = m - 3, hi = m + 3; j <= r; j++, lo -= 3, hi += 3) {
          const w = half[j];
          a += w * (line[lo] + line[hi]);
          b += w * (line[lo + 1] + line[hi + 1]);
          c += w * (line[lo + 2] + line[hi + 2]);
        }
        const d = base + x * 3;
        plane[d] = a;
        plane[d + 1] = b;
        plane[d + 2] = c;
      }
    } else {
      for (let x = 0; x < W; x++) {
        const m = x + r;
        let a = w0 * line[m];
        for (let j = 1; j <= r; j++) a += half[j] * (line[m - j] + line[m + j]);
        plane[base + x] = a;
      }
    }
  }
  // Vertical: each output row is the centre row plus mirrored pairs of rows, row-wise.
  for (let y = 0; y < H; y++) {
    const d = y * rowLen;
    const c0 = y * rowLen;
    for (let i = 0; i < rowLen; i++) data[d + i] = w0 * plane[c0 + i];
    let j = 1;
    for (; j + 1 <= r; j += 2) {
      const wa = half[j], wb = half[j + 1];
      const ua = reflectIndex(y - j, H) * rowLen, da = reflectIndex(y + j, H) * rowLen;
      const ub = reflectIndex(y - j - 1, H) * rowLen, db = reflectIndex(y + j + 1, H) * rowLen;
      for (let i = 0; i < rowLen; i++) {
        data[d + i] += wa * (plane[ua + i] + plane[da + i]) + wb * (plane[ub + i] + plane[db + i]);
      }
    }
    if (j <= r) {
      const w = half[j];
      const up = reflectIndex(y - j, H) * rowLen, down = reflectIndex(y + j, H) * rowLen;
      for (let i = 0; i < rowLen; i++) data[d + i] += w * (plane[up + i] + plane[down + i]);
    }
  }
  return img;
}
