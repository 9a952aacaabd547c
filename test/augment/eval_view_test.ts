import assert from "node:assert/strict";
import { evalCropBox } from "../../src/augment/_eval_crop.ts";
import { evalView } from "../../src/augment/eval_view.ts";
import { resizedCrop } from "../../src/augment/resize.ts";
import { raw } from "./_images.ts";

Deno.test("evalCropBox center at proportion 1: the shorter side, centred on the longer axis", () => {
  // google's center_crop offsets: ((longer - shorter) + 1) // 2
  assert.deepEqual(evalCropBox(40, 30, 8, "center", 1), { top: 0, left: 5, width: 30, height: 30 });
  assert.deepEqual(evalCropBox(3, 8, 8, "center", 1), { top: 3, left: 0, width: 3, height: 3 });
  assert.deepEqual(evalCropBox(5, 5, 8, "center", 1), { top: 0, left: 0, width: 5, height: 5 });
});

Deno.test("evalView at the square's own size with a centre crop is that crop, normalized per channel", () => {
  // 5 wide, 3 high, RGB: the centre square is columns 1..3.
  const px = Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 53) % 256);
  const image = raw(5, 3, 3, px);
  const mean = [0.1, 0.5, 0.9], std = [0.2, 0.25, 0.5];
  const v = evalView(image, { size: 3, mean, std, crop: "center", cropProportion: 1 });
  assert.deepEqual([v.width, v.height, v.channels], [3, 3, 3]);
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 3; x++) {
      for (let c = 0; c < 3; c++) {
        const want = (px[(y * 5 + x + 1) * 3 + c] / 255 - mean[c]) / std[c];
        assert.ok(Math.abs(v.data[(y * 3 + x) * 3 + c] - want) < 1e-6);
      }
    }
  }
});

Deno.test("evalView of a wide image with a centre crop uses only that square (as if cropped by hand first)", () => {
  // 13 x 9 gray: the centre square is columns 2..10. Resized to 5, it must equal the whole-image
  // resize of the hand-cropped square, so no pixel outside the square leaks in.
  const px = Array.from({ length: 13 * 9 }, (_, i) => (i * 97 + 13) % 256);
  const cropped: number[] = [];
  for (let y = 0; y < 9; y++) for (let x = 2; x < 11; x++) cropped.push(px[y * 13 + x]);
  const spec = { size: 5, mean: [0.3], std: [0.7], crop: "center" as const, cropProportion: 1 };
  const a = evalView(raw(13, 9, 1, px), spec);
  const whole = resizedCrop(raw(9, 9, 1, cropped), { top: 0, left: 0, width: 9, height: 9 }, 5);
  assert.deepEqual([...a.data], [...whole.data].map((v) => Math.fround((v - 0.3) / 0.7)));
});

Deno.test("evalView by default resizes the whole image (aspect not kept)", () => {
  const px = Array.from({ length: 13 * 9 }, (_, i) => (i * 31 + 7) % 256);
  const image = raw(13, 9, 1, px);
  const a = evalView(image, { size: 5, mean: [0.3], std: [0.7] });
  const whole = resizedCrop(image, { top: 0, left: 0, width: 13, height: 9 }, 5);
  assert.deepEqual([...a.data], [...whole.data].map((v) => Math.fround((v - 0.3) / 0.7)));
});
