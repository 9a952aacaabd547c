import assert from "node:assert/strict";
import {
  blurKernelSize,
  gaussianBlur,
  gaussianKernel,
  reflectIndex,
} from "../../src/augment/blur.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { assertClose } from "./_images.ts";

/** exp(-x^2 / (2 sigma^2)) at -r..r, divided by its sum. */
function expected(size: number, sigma: number): number[] {
  const r = (size - 1) / 2;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

Deno.test("kernel side is about 10% of the image side, odd", () => {
  assert.equal(blurKernelSize(224), 23);
  assert.equal(blurKernelSize(96), 9);
  assert.equal(blurKernelSize(32), 3);
  assert.equal(blurKernelSize(28), 3);
  assert.equal(blurKernelSize(12), 1);
});

Deno.test("the kernel is the normalized Gaussian", () => {
  for (const [k, s] of [[3, 1], [23, 0.1], [23, 2], [9, 0.7]]) {
    assertClose(gaussianKernel(k, s), expected(k, s), 1e-7, `k=${k} sigma=${s}`);
  }
  assert.throws(() => gaussianKernel(4, 1), /odd/);
  assert.throws(() => gaussianKernel(3, 0), /sigma 0 must be > 0/);
});

Deno.test("blur of an impulse is the outer product of the kernel, in every channel", () => {
  const side = 31, k = 23, sigma = 1.7;
  const img = floatImage(side, side, 3);
  const c = (side - 1) / 2;
  for (let ch = 0; ch < 3; ch++) img.data[(c * side + c) * 3 + ch] = ch + 1;
  gaussianBlur(img, sigma, k);
  const g = expected(k, sigma), r = (k - 1) / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const dy = y - c + r, dx = x - c + r;
      const w = dy >= 0 && dy < k && dx >= 0 && dx < k ? g[dy] * g[dx] : 0;
      for (let ch = 0; ch < 3; ch++) {
        const got = img.data[(y * side + x) * 3 + ch];
        assert.ok(
          Math.abs(got - w * (ch + 1)) < 1e-7,
          `(${x},${y},${ch}) ${got} vs ${w * (ch + 1)}`,
        );
      }
    }
  }
});

Deno.test("edges reflect without repeating the border pixel", () => {
  assert.deepEqual([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflectIndex(i, 5)), [
    3,
    2,
    1,
    0,
    4,
    3,
    2,
    1,
  ]);
  // 1-D row [1, 0, 0, 0] with k=3: out0 = w0*x[1] + w1*x[0] + w2*x[1] = w1.
  const img = floatImage(4, 1, 1, Float32Array.from([1, 0, 0, 0]));
  const w = expected(3, 1);
  gaussianBlur(img, 1, 3);
  assertClose(img.data, [w[1], w[0], 0, 0], 1e-7);
  // A constant image stays constant, edges included.
  const flat = floatImage(6, 5, 3, new Float32Array(90).fill(0.3));
  gaussianBlur(flat, 2, 5);
  assertClose(flat.data, new Array(90).fill(0.3), 1e-6);
});

Deno.test("blur equals a direct 2-D convolution with reflected edges, for small and large sigma", () => {
  const W = 12, H = 10, k = 9, r = 4;
  const src = Float32Array.from({ length: W * H * 3 }, (_, i) => ((i * 37) % 101) / 100);
  for (const sigma of [0.3, 1, 2]) {
    const img = gaussianBlur(floatImage(W, H, 3, src.slice()), sigma, k);
    const g = expected(k, sigma);
    const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = -r; dy <= r; dy++) {
            for (let dx = -r; dx <= r; dx++) {
              s += g[dy + r] * g[dx + r] * src[(refl(y + dy, H) * W + refl(x + dx, W)) * 3 + c];
            }
          }
          const got = img.data[(y * W + x) * 3 + c];
          assert.ok(Math.abs(got - s) < 1e-6, `sigma ${sigma} (${x},${y},${c}): ${got} vs ${s}`);
        }
      }
    }
  }
});

Deno.test("a sigma so small that every off-centre tap is below float32 resolution is the identity", () => {
  // sigma 0.1: the nearest off-centre weight is exp(-50) ~ 2e-22.
  const src = Float32Array.from({ length: 8 * 6 * 3 }, (_, i) => ((i * 13) % 17) / 16);
  const img = gaussianBlur(floatImage(8, 6, 3, src.slice()), 0.1, 23);
  assert.deepEqual(img.data, src);
});
