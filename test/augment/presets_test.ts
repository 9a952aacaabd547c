import assert from "node:assert/strict";
import { PRESETS, resolveAugment } from "../../src/augment/presets.ts";

Deno.test("the SimCLR presets carry the paper's parameters", () => {
  const v1 = resolveAugment("simclr-v1");
  const v2 = resolveAugment("simclr-v2");
  assert.equal(v1.size, 224);
  assert.deepEqual(v1.crop.scale, [0.08, 1]);
  assert.deepEqual(v1.crop.ratio, [3 / 4, 4 / 3]);
  assert.equal(v1.flip, 0.5);
  assert.deepEqual(v1.jitter, {
    p: 0.8,
    brightnessMode: "add", // v1's code: tf.image.random_brightness
    brightness: 0.8,
    contrast: 0.8,
    saturation: 0.8,
    hue: 0.2,
  });
  assert.equal(v1.grayscale, 0.2);
  assert.deepEqual(v1.blur, { p: 0.5, sigma: [0.1, 2], kernelFraction: 0.1 });
  assert.equal(v1.solarize.p, 0);
  // google-research/simclr data_util.py: v2 changes only the brightness to a factor; neither
  // version solarizes (that is BYOL's).
  assert.deepEqual(v2, { ...v1, jitter: { ...v1.jitter, brightnessMode: "multiply" } });
  assert.equal(v2.solarize.p, 0);
  assert.deepEqual(resolveAugment(), v2, "simclr-v2 is the default");

  const cifar = resolveAugment("simclr-cifar");
  assert.equal(cifar.size, 32);
  assert.deepEqual(cifar.jitter, {
    p: 0.8,
    brightnessMode: "multiply",
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0.4,
    hue: 0.1,
  });
  assert.equal(cifar.blur.p, 0);

  const gray = resolveAugment("simclr-gray");
  assert.equal(gray.size, 28);
  assert.equal(gray.jitter.saturation, 0);
  assert.equal(gray.jitter.hue, 0);
  assert.equal(gray.jitter.brightness, 0.4);
  assert.equal(gray.jitter.brightnessMode, "multiply");
  assert.equal(gray.grayscale, 0);
  assert.equal(gray.blur.p, 0);
  assert.deepEqual([gray.mean.length, gray.std.length], [1, 1]);
});

Deno.test("overrides: size, strength, blur and solarize switches, jitter, mean/std", () => {
  const s = resolveAugment({
    preset: "simclr-v1",
    size: 96,
    strength: 0.5,
    blur: false,
    solarize: true,
  });
  assert.equal(s.size, 96);
  assert.equal(s.jitter.brightness, 0.4);
  assert.equal(s.jitter.hue, 0.1);
  assert.equal(s.blur.p, 0);
  assert.equal(s.solarize.p, 0.2);
  const c = resolveAugment({
    preset: "simclr-cifar",
    blur: true,
    jitter: { p: 1, hue: 0 },
    mean: [0.5],
    std: [0.5],
  });
  assert.equal(c.blur.p, 0.5);
  assert.deepEqual(c.jitter, {
    p: 1,
    brightnessMode: "multiply",
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0.4,
    hue: 0,
  });
  assert.equal(
    resolveAugment({ preset: "simclr-v2", brightness: "add" }).jitter.brightnessMode,
    "add",
  );
  assert.equal(
    resolveAugment({ preset: "simclr-v1", brightness: "multiply" }).jitter.brightnessMode,
    "multiply",
  );
  assert.deepEqual([c.mean, c.std], [[0.5], [0.5]]);
  assert.equal(resolveAugment({ preset: "simclr-v1", blur: { sigma: [0.5, 1] } }).blur.sigma[1], 1);
});

Deno.test("resolved specs are copies: changing one never changes a preset", () => {
  const before = JSON.stringify(PRESETS);
  const s = resolveAugment("simclr-cifar");
  s.mean[0] = 9;
  s.crop.scale[0] = 0.5;
  s.blur.sigma[0] = 1;
  assert.equal(JSON.stringify(PRESETS), before);
  assert.deepEqual(structuredClone(s), s, "specs are plain data");
});

Deno.test("errors name what is wrong and what is accepted", () => {
  assert.throws(
    () => resolveAugment("simclr-v3"),
    /unknown preset 'simclr-v3': choose one of simclr-v1, simclr-v2, simclr-cifar, simclr-gray/,
  );
  assert.throws(
    () => resolveAugment({ preset: "simclr-v1", blurr: true } as never),
    /unknown option\(s\) blurr; known: preset/,
  );
  assert.throws(() => resolveAugment({ flip: 2 }), /flip 2 must be a probability/);
  assert.throws(() => resolveAugment({ size: 0 }), /size 0 must be a positive integer/);
  assert.throws(() => resolveAugment({ crop: { scale: [0.5, 0.2] } }), /crop.scale \[0.5,0.2\]/);
  assert.throws(
    () => resolveAugment({ strength: 3 }),
    /strength 3 makes the hue jitter 0.2 x 3 = 0.6, above half a turn: use strength <= 2.5/,
  );
  const strong = resolveAugment({ strength: 3, jitter: { hue: 0.5 } }).jitter;
  assert.ok(Math.abs(strong.brightness - 2.4) < 1e-12 && strong.hue === 0.5);
  assert.throws(() => resolveAugment({ mean: [0.5, 0.5] }), /mean and std need 1 or 3 values/);
  assert.throws(
    () => resolveAugment({ brightness: "scale" as never }),
    /brightness 'scale' must be multiply or add/,
  );
});

Deno.test("a resolved spec is itself valid options and resolves to itself", () => {
  for (const name of Object.keys(PRESETS)) {
    const spec = resolveAugment({ preset: name, size: 20 });
    assert.deepEqual(resolveAugment(spec), spec, name);
  }
});

Deno.test("options with undefined values (as a YAML schema fills them) take the preset's", () => {
  const spec = resolveAugment({
    preset: "simclr-cifar",
    size: 32,
    strength: undefined,
    blur: undefined,
    mean: undefined,
    std: undefined,
    seed: 4,
  } as never);
  assert.deepEqual(spec, resolveAugment("simclr-cifar"));
});
