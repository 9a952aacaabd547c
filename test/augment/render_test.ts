import assert from "node:assert/strict";
import { pairedViews } from "../../src/augment/paired.ts";
import { resolveAugment } from "../../src/augment/presets.ts";
import { pairToImages } from "../../src/augment/render.ts";
import { noise } from "./_images.ts";

Deno.test("pairToImages gives back bytes: exact for an unaugmented view", () => {
  const spec = resolveAugment({ preset: "simclr-cifar", size: 2 });
  const bytes = [0, 30, 60, 90, 120, 150, 180, 210, 240, 255, 1, 2];
  const view = Float32Array.from(bytes, (b, i) => (b / 255 - spec.mean[i % 3]) / spec.std[i % 3]);
  const pair = {
    key: "k",
    size: 2,
    channels: 3 as const,
    view1: view,
    view2: view,
    index: 0,
    epoch: 0,
    label: 3,
  };
  const [a, b] = pairToImages(pair, spec);
  assert.deepEqual(a.data, Uint8Array.from(bytes));
  assert.deepEqual([a.key, b.key, a.width, a.height, a.channels, a.label], [
    "k#1",
    "k#2",
    2,
    2,
    3,
    3,
  ]);
});

Deno.test("rendered views of a real pair are valid images of the view size", () => {
  const spec = resolveAugment("simclr-gray");
  const pair = pairedViews(spec, 1)(noise(28, 28, 1), 0, 0);
  const [a, b] = pairToImages(pair, spec);
  assert.equal(a.data.length, 784);
  assert.equal(b.data.length, 784);
  assert.notDeepEqual(a.data, b.data);
});
