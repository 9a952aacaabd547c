import assert from "node:assert/strict";
import { cropAndFlip } from "../../src/augment/crop_flip.ts";
import { resolveAugment } from "../../src/augment/presets.ts";

Deno.test("cropAndFlip: the preset's crop, flip, size and normalization; no jitter, gray, blur or solarize", () => {
  for (const preset of ["simclr-v1", "simclr-v2", "simclr-cifar", "simclr-gray"]) {
    const options = { preset, size: 40, solarize: true, strength: 0.7 };
    const full = resolveAugment(options), ft = resolveAugment(cropAndFlip(options));
    assert.deepEqual([ft.size, ft.crop, ft.flip, ft.mean, ft.std], [
      full.size,
      full.crop,
      full.flip,
      full.mean,
      full.std,
    ]);
    assert.deepEqual([ft.jitter.p, ft.grayscale, ft.blur.p, ft.solarize.p], [0, 0, 0, 0]);
    assert.ok(full.jitter.p > 0 && full.solarize.p > 0, preset);
  }
});
