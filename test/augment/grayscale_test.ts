import assert from "node:assert/strict";
import { meanLuma, toGrayscale } from "../../src/augment/grayscale.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { assertClose } from "./_images.ts";

Deno.test("grayscale uses 0.299 R + 0.587 G + 0.114 B on all three channels", () => {
  const px = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.6, 0.9];
  const img = toGrayscale(floatImage(4, 1, 3, Float32Array.from(px)));
  const l = [0.299, 0.587, 0.114, 0.299 * 0.2 + 0.587 * 0.6 + 0.114 * 0.9];
  assertClose(img.data, l.flatMap((v) => [v, v, v]), 1e-7);
});

Deno.test("grayscale leaves 1-channel images; meanLuma averages the luma", () => {
  const gray = floatImage(2, 1, 1, Float32Array.from([0.1, 0.7]));
  assert.deepEqual(toGrayscale(gray).data, Float32Array.from([0.1, 0.7]));
  assert.ok(Math.abs(meanLuma(gray) - 0.4) < 1e-7);
  const rgb = floatImage(2, 1, 3, Float32Array.from([1, 0, 0, 0, 0, 1]));
  assert.ok(Math.abs(meanLuma(rgb) - (0.299 + 0.114) / 2) < 1e-7);
});
