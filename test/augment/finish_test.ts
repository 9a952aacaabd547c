import assert from "node:assert/strict";
import { finishView } from "../../src/augment/finish.ts";
import { toGrayscale } from "../../src/augment/grayscale.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { normalize } from "../../src/augment/normalize.ts";
import { solarize } from "../../src/augment/solarize.ts";

Deno.test("the fused tail equals grayscale, solarize and normalize in turn, bit for bit", () => {
  const px = Float32Array.from({ length: 7 * 5 * 3 }, (_, i) => ((i * 29) % 64) / 63);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  for (const gray of [false, true]) {
    for (const threshold of [null, 0.5, 0.3]) {
      for (const [m, s] of [[mean, std], [[0.5], [0.25]]]) {
        const fused = finishView(floatImage(7, 5, 3, px.slice()), gray, threshold, m, s);
        const ref = floatImage(7, 5, 3, px.slice());
        if (gray) toGrayscale(ref);
        if (threshold !== null) solarize(ref, threshold);
        normalize(ref, m, s);
        assert.deepEqual(fused.data, ref.data, `gray ${gray}, threshold ${threshold}, mean ${m}`);
      }
    }
  }
  const one = finishView(floatImage(2, 1, 1, Float32Array.from([0.2, 0.8])), true, 0.5, [0], [1]);
  assert.deepEqual(one.data, Float32Array.from([0.2, 1 - Math.fround(0.8)]));
});
