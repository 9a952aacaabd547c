import assert from "node:assert/strict";
import { adjustBrightness, adjustContrast } from "../../src/augment/adjust.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { colorJitter, sampleJitter } from "../../src/augment/jitter.ts";
import { rngFor } from "../../src/streams/rng.ts";

Deno.test("jitter factors lie in torchvision's ranges with the right means", () => {
  const r = rngFor(5);
  const s = { brightness: 0.8, contrast: 0.4, saturation: 1.5, hue: 0.2 };
  const n = 20_000;
  const sums = { brightness: 0, contrast: 0, saturation: 0, hue: 0 };
  const orders = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const p = sampleJitter(r, s);
    assert.ok(p.brightness! >= 0.2 && p.brightness! <= 1.8);
    assert.ok(p.contrast! >= 0.6 && p.contrast! <= 1.4);
    assert.ok(p.saturation! >= 0 && p.saturation! <= 2.5); // max(0, 1 - 1.5)
    assert.ok(p.hue! >= -0.2 && p.hue! <= 0.2);
    for (const k of ["brightness", "contrast", "saturation", "hue"] as const) sums[k] += p[k]!;
    const key = p.order.join(",");
    orders.set(key, (orders.get(key) ?? 0) + 1);
  }
  assert.ok(Math.abs(sums.brightness / n - 1) < 0.01);
  assert.ok(Math.abs(sums.contrast / n - 1) < 0.01);
  assert.ok(Math.abs(sums.saturation / n - 1.25) < 0.015); // uniform on [0, 2.5]
  assert.ok(Math.abs(sums.hue / n) < 0.005);
  assert.equal(orders.size, 24, "every order of the four adjustments occurs");
  for (const c of orders.values()) assert.ok(Math.abs(c - n / 24) < 5 * Math.sqrt(n / 24));
});

Deno.test("a zero magnitude switches that adjustment off", () => {
  const p = sampleJitter(rngFor(1), { brightness: 0.4, contrast: 0.4, saturation: 0, hue: 0 });
  assert.equal(p.saturation, undefined);
  assert.equal(p.hue, undefined);
  assert.deepEqual([...p.order].sort(), ["brightness", "contrast"]);
  assert.throws(
    () => sampleJitter(rngFor(1), { brightness: 0, contrast: 0, saturation: 0, hue: 0.7 }),
    /hue 0.7/,
  );
});

Deno.test("colorJitter applies in the given order (clamping makes order matter)", () => {
  const px = [0.9, 0.1, 0.5, 0.2, 0.7, 0.3];
  const run = (order: ("brightness" | "contrast")[]) =>
    colorJitter(floatImage(2, 1, 3, Float32Array.from(px)), {
      order,
      brightness: 1.6,
      contrast: 1.8,
    }).data;
  const bc =
    adjustContrast(adjustBrightness(floatImage(2, 1, 3, Float32Array.from(px)), 1.6), 1.8).data;
  const cb =
    adjustBrightness(adjustContrast(floatImage(2, 1, 3, Float32Array.from(px)), 1.8), 1.6).data;
  assert.deepEqual(run(["brightness", "contrast"]), bc);
  assert.deepEqual(run(["contrast", "brightness"]), cb);
  assert.notDeepEqual(bc, cb);
});

Deno.test("additive brightness (SimCLR v1): a delta in [-b, b], added and clipped", () => {
  const r = rngFor(9);
  const s = { brightness: 0.8, contrast: 0, saturation: 0, hue: 0, brightnessMode: "add" as const };
  const n = 20_000;
  let sum = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const p = sampleJitter(r, s);
    assert.equal(p.brightnessMode, "add");
    assert.ok(p.brightness! >= -0.8 && p.brightness! <= 0.8);
    sum += p.brightness!;
    sq += p.brightness! ** 2;
  }
  assert.ok(Math.abs(sum / n) < 0.01, `mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 0.64 / 3) < 0.005, `variance ${sq / n}`); // U(-b, b): b^2 / 3
  // Applied: v + delta clipped to [0, 1] (tf.image.adjust_brightness, then SimCLR's clip).
  const img = floatImage(3, 1, 1, Float32Array.of(0.1, 0.5, 0.9));
  colorJitter(img, { order: ["brightness"], brightness: 0.3, brightnessMode: "add" });
  assert.deepEqual(Array.from(img.data), [0.4, 0.8, 1].map((v) => Math.fround(v)));
  const mult = floatImage(1, 1, 1, Float32Array.of(0.5));
  colorJitter(mult, { order: ["brightness"], brightness: 0.3 });
  assert.equal(mult.data[0], Math.fround(0.15), "without the mode, brightness is a factor");
  assert.throws(
    () => sampleJitter(r, { ...s, brightnessMode: "shift" as never }),
    /brightnessMode 'shift' must be multiply or add/,
  );
});
