import assert from "node:assert/strict";
import { hflip } from "../../src/augment/flip.ts";
import { floatImage } from "../../src/augment/_image.ts";

Deno.test("hflip is an exact mirror, for odd and even widths, 1 and 3 channels", () => {
  for (const [w, h, c] of [[5, 3, 3], [4, 2, 1], [1, 2, 3]] as [number, number, 1 | 3][]) {
    const data = Float32Array.from({ length: w * h * c }, (_, i) => i * 0.5);
    const img = hflip(floatImage(w, h, c, data.slice()));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          assert.equal(img.data[(y * w + x) * c + k], data[(y * w + (w - 1 - x)) * c + k]);
        }
      }
    }
    assert.deepEqual(hflip(img).data, data, "twice is the identity");
  }
});
