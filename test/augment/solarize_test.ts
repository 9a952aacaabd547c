import { floatImage } from "../../src/augment/_image.ts";
import { solarize } from "../../src/augment/solarize.ts";
import { assertClose } from "./_images.ts";

Deno.test("solarize inverts values at or above the threshold only", () => {
  const px = [0, 0.2, 0.49, 0.5, 0.8, 1];
  const img = solarize(floatImage(2, 1, 3, Float32Array.from(px)), 0.5);
  assertClose(img.data, px.map((v) => (v >= 0.5 ? 1 - v : v)), 1e-7);
  const low = solarize(floatImage(2, 1, 1, Float32Array.from([0.1, 0.3])), 0.2);
  assertClose(low.data, [0.1, 0.7], 1e-7);
});
