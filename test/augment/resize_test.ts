import assert from "node:assert/strict";
import { hflip } from "../../src/augment/flip.ts";
import { resampleCoefficients, resizedCrop } from "../../src/augment/resize.ts";
import { assertClose, noise, raw } from "./_images.ts";

Deno.test("a crop of the whole image at its own size is the bytes / 255", () => {
  const img = noise(5, 5, 3);
  const out = resizedCrop(img, { top: 0, left: 0, height: 5, width: 5 }, 5);
  assertClose(out.data, Array.from(img.data, (v) => v / 255));
});

Deno.test("upsampling a 2x2 crop to 4x4: weights 1, 3/4, 1/4, 0 on each axis", () => {
  // 6x6 gray image, the crop is rows 2-3, columns 1-2 with pixels a b / c d.
  const values = new Array(36).fill(200);
  const [a, b, c, d] = [0, 40, 120, 255];
  values[2 * 6 + 1] = a, values[2 * 6 + 2] = b, values[3 * 6 + 1] = c, values[3 * 6 + 2] = d;
  const out = resizedCrop(raw(6, 6, 1, values), { top: 2, left: 1, height: 2, width: 2 }, 4);
  // Output i samples at (i + 0.5) / 2 - 0.5 in crop pixels: -0.25, 0.25, 0.75, 1.25, and the
  // triangle filter is clipped to the crop (the 200s around it never leak in).
  const w = [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]];
  const expected: number[] = [];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const top = w[x][0] * a + w[x][1] * b, bottom = w[x][0] * c + w[x][1] * d;
      expected.push((w[y][0] * top + w[y][1] * bottom) / 255);
    }
  }
  assertClose(out.data, expected, 1e-6);
});

Deno.test("shrinking antialiases: 4 -> 2 uses a triangle of half-width 2 (weights 3/7 3/7 1/7)", () => {
  // One row [0, 70, 140, 210]: out0 = (3*0 + 3*70 + 140) / 7 = 50, out1 = (70 + 3*140 + 3*210) / 7 = 160.
  const out = resizedCrop(
    raw(4, 1, 1, [0, 70, 140, 210]),
    { top: 0, left: 0, height: 1, width: 4 },
    2,
  );
  assertClose(out.data, [50 / 255, 160 / 255, 50 / 255, 160 / 255], 1e-6);
  // A checkerboard shrunk 8x becomes flat gray in the interior (plain bilinear would alias).
  const side = 64, v: number[] = [];
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) v.push((x + y) % 2 ? 255 : 0);
  const small = resizedCrop(
    raw(side, side, 1, v),
    { top: 0, left: 0, height: side, width: side },
    8,
  );
  for (let y = 1; y < 7; y++) {
    for (let x = 1; x < 7; x++) {
      assert.ok(Math.abs(small.data[y * 8 + x] - 0.5) < 0.01, `${small.data[y * 8 + x]}`);
    }
  }
});

Deno.test("coefficients sum to one and stay in the window", () => {
  for (const [start, len, out] of [[3, 17, 5], [0, 5, 23], [10, 100, 37]]) {
    const c = resampleCoefficients(start, len, out);
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let k = 0; k < c.count[o]; k++) s += c.weights[o * c.taps + k];
      assert.ok(Math.abs(s - 1) < 1e-6);
      assert.ok(c.first[o] >= start && c.first[o] + c.count[o] <= start + len);
    }
  }
});

Deno.test("the fused flip equals flipping afterwards; RGB channels are resized independently", () => {
  const img = noise(9, 7, 3, 5);
  const box = { top: 1, left: 2, height: 5, width: 6 };
  const plain = resizedCrop(img, box, 8);
  const flipped = resizedCrop(img, box, 8, undefined, true);
  assert.deepEqual(flipped.data, hflip(plain).data);
  for (let c = 0; c < 3; c++) {
    const one = raw(9, 7, 1, Array.from(img.data.filter((_, i) => i % 3 === c)));
    const single = resizedCrop(one, box, 8, undefined, true);
    assertClose(single.data, flipped.data.filter((_, i) => i % 3 === c), 1e-6);
  }
});

Deno.test("a box outside the image is rejected with its numbers", () => {
  assert.throws(
    () => resizedCrop(noise(4, 4, 1), { top: 2, left: 0, height: 3, width: 4 }, 4),
    /box .* is not inside the 4x4 image/,
  );
});
