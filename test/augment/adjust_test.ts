import assert from "node:assert/strict";
import { adjustBrightness, adjustContrast, adjustSaturation } from "../../src/augment/adjust.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { assertClose } from "./_images.ts";

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const PX = [0.1, 0.5, 0.9, 0.6, 0.3, 0.0, 1.0, 0.8, 0.2];

Deno.test("brightness multiplies and clamps to [0, 1]", () => {
  for (const f of [0, 0.5, 1, 1.7]) {
    const img = adjustBrightness(floatImage(3, 1, 3, Float32Array.from(PX)), f);
    assertClose(img.data, PX.map((v) => clamp(v * f)), 1e-7, `factor ${f}`);
  }
});

Deno.test("contrast blends toward the mean of the grayscale image", () => {
  let lumaSum = 0;
  for (let i = 0; i < PX.length; i += 3) {
    lumaSum += 0.299 * PX[i] + 0.587 * PX[i + 1] + 0.114 * PX[i + 2];
  }
  const mean = lumaSum / 3;
  for (const f of [0, 0.4, 1.6]) {
    const img = adjustContrast(floatImage(3, 1, 3, Float32Array.from(PX)), f);
    assertClose(img.data, PX.map((v) => clamp(f * v + (1 - f) * mean)), 1e-6, `factor ${f}`);
  }
  // 1 channel: the mean of the values.
  const g = adjustContrast(floatImage(2, 1, 1, Float32Array.from([0, 1])), 0.5);
  assertClose(g.data, [0.25, 0.75], 1e-7);
});

Deno.test("saturation blends each pixel toward its own luma; 1 channel is untouched", () => {
  for (const f of [0, 0.5, 1, 2]) {
    const img = adjustSaturation(floatImage(3, 1, 3, Float32Array.from(PX)), f);
    const want: number[] = [];
    for (let i = 0; i < PX.length; i += 3) {
      const l = 0.299 * PX[i] + 0.587 * PX[i + 1] + 0.114 * PX[i + 2];
      for (let c = 0; c < 3; c++) want.push(clamp(f * PX[i + c] + (1 - f) * l));
    }
    assertClose(img.data, want, 1e-6, `factor ${f}`);
  }
  const g = floatImage(2, 1, 1, Float32Array.from([0.2, 0.4]));
  assert.deepEqual(adjustSaturation(g, 0).data, Float32Array.from([0.2, 0.4]));
});
