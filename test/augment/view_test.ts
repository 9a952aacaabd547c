import assert from "node:assert/strict";
import type { ViewParams } from "../../src/augment/params.ts";
import { resolveAugment } from "../../src/augment/presets.ts";
import { rngFor } from "../../src/streams/rng.ts";
import { augmentView, renderView } from "../../src/augment/view.ts";
import { assertClose, noise } from "./_images.ts";

const none = (w: number, h: number): ViewParams => ({
  crop: { top: 0, left: 0, height: h, width: w },
  flip: false,
  jitter: null,
  grayscale: false,
  blurSigma: 0,
  solarize: false,
});

Deno.test("with nothing random applied, a view is the normalized pixels", () => {
  const img = noise(6, 6, 3);
  const spec = resolveAugment({ preset: "simclr-cifar", size: 6 });
  const view = renderView(img, none(6, 6), spec);
  assertClose(
    view,
    Array.from(img.data, (b, i) => (b / 255 - spec.mean[i % 3]) / spec.std[i % 3]),
    1e-5,
  );
  const flipped = renderView(img, { ...none(6, 6), flip: true }, spec);
  for (let y = 0; y < 6; y++) {
    for (let x = 0; x < 6; x++) {
      for (let c = 0; c < 3; c++) {
        assert.equal(flipped[(y * 6 + x) * 3 + c], view[(y * 6 + 5 - x) * 3 + c]);
      }
    }
  }
});

Deno.test("grayscale then solarize: equal channels, values above 0.5 inverted", () => {
  const img = noise(4, 4, 3, 2);
  const spec = resolveAugment({ preset: "simclr-v2", size: 4, mean: [0], std: [1] });
  const view = renderView(img, { ...none(4, 4), grayscale: true, solarize: true }, spec);
  for (let i = 0; i < 16; i++) {
    const d = img.data;
    const l = 0.299 * d[3 * i] / 255 + 0.587 * d[3 * i + 1] / 255 + 0.114 * d[3 * i + 2] / 255;
    const want = l >= 0.5 ? 1 - l : l;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(view[3 * i + c] - want) < 1e-6);
  }
});

Deno.test("views have the configured size and the image's channels; bad images are explained", () => {
  const spec = resolveAugment({ preset: "simclr-v1", size: 40 });
  const v = augmentView(noise(64, 48, 3), spec, rngFor(3));
  assert.equal(v.length, 40 * 40 * 3);
  assert.ok(v.every(Number.isFinite));
  const g = augmentView(noise(28, 28, 1), resolveAugment("simclr-gray"), rngFor(3));
  assert.equal(g.length, 28 * 28);
  assert.throws(
    () =>
      augmentView(
        { key: "rgba", width: 2, height: 2, channels: 4 as never, data: new Uint8Array(16) },
        spec,
        rngFor(0),
      ),
    /image 'rgba': 4 channels; augmentation takes 1 \(gray\) or 3 \(RGB\)/,
  );
  assert.throws(
    () =>
      augmentView(
        { key: "short", width: 2, height: 2, channels: 3, data: new Uint8Array(5) },
        spec,
        rngFor(0),
      ),
    /image 'short': data has 5 bytes, 2x2x3 needs 12/,
  );
});
