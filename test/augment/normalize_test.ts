import assert from "node:assert/strict";
import { floatImage } from "../../src/augment/_image.ts";
import { denormalize, normalize } from "../../src/augment/normalize.ts";
import { assertClose } from "./_images.ts";

Deno.test("normalize subtracts the mean and divides by the std of each channel", () => {
  const px = [0.1, 0.5, 0.9, 0.6, 0.3, 0];
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const img = normalize(floatImage(2, 1, 3, Float32Array.from(px)), mean, std);
  assertClose(img.data, px.map((v, i) => (v - mean[i % 3]) / std[i % 3]), 1e-6);
  const one = normalize(floatImage(2, 1, 3, Float32Array.from(px)), [0.5], [0.25]);
  assertClose(one.data, px.map((v) => (v - 0.5) / 0.25), 1e-6);
});

Deno.test("denormalize inverts normalize to the nearest byte", () => {
  const bytes = [0, 1, 127, 128, 254, 255];
  const mean = [0.4914, 0.4822, 0.4465], std = [0.247, 0.2435, 0.2616];
  const img = normalize(floatImage(2, 1, 3, Float32Array.from(bytes, (b) => b / 255)), mean, std);
  assert.deepEqual(denormalize(img.data, 3, mean, std), Uint8Array.from(bytes));
  assert.deepEqual(
    denormalize(Float32Array.from([-10, 10]), 1, [0.5], [0.1]),
    Uint8Array.from([0, 255]),
  );
});

Deno.test("a 3-value mean for a 1-channel image says what to use instead", () => {
  assert.throws(
    () => normalize(floatImage(1, 1, 1), [0.1, 0.2, 0.3], [1, 1, 1]),
    /mean has 3 values for a 1-channel image.*simclr-gray/,
  );
  assert.throws(() => normalize(floatImage(1, 1, 1), [0.1], [0]), /std 0 must be > 0/);
});
