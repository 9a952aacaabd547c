import assert from "node:assert/strict";
import { sampleViewParams } from "../../src/augment/params.ts";
import { resolveAugment } from "../../src/augment/presets.ts";
import { rngFor } from "../../src/streams/rng.ts";

function rate(hits: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(hits - n * p) <= 5 * sd + 1e-9, `${what}: ${hits}/${n}, expected rate ${p}`);
}

Deno.test("simclr-v2 rates over many draws: flip, jitter, grayscale, blur, solarize", () => {
  const spec = resolveAugment("simclr-v2");
  const n = 20_000;
  const c = { flip: 0, jitter: 0, gray: 0, blur: 0, solarize: 0 };
  let sigmaSum = 0;
  for (let i = 0; i < n; i++) {
    const p = sampleViewParams(rngFor(1, 0, i), spec, 256, 256);
    c.flip += +p.flip;
    c.jitter += +(p.jitter !== null);
    c.gray += +p.grayscale;
    c.solarize += +p.solarize;
    if (p.blurSigma > 0) {
      c.blur++;
      sigmaSum += p.blurSigma;
      assert.ok(p.blurSigma >= 0.1 && p.blurSigma <= 2);
    }
    if (p.jitter) assert.equal(p.jitter.order.length, 4);
  }
  rate(c.flip, n, 0.5, "flip");
  rate(c.jitter, n, 0.8, "jitter");
  rate(c.gray, n, 0.2, "grayscale");
  rate(c.blur, n, 0.5, "blur");
  rate(c.solarize, n, 0.2, "solarize");
  assert.ok(Math.abs(sigmaSum / c.blur - 1.05) < 0.02, `mean sigma ${sigmaSum / c.blur}`);
});

Deno.test("simclr-cifar never blurs or solarizes; simclr-gray jitters brightness and contrast only", () => {
  const cifar = resolveAugment("simclr-cifar"), gray = resolveAugment("simclr-gray");
  for (let i = 0; i < 2000; i++) {
    const p = sampleViewParams(rngFor(2, 0, i), cifar, 32, 32);
    assert.equal(p.blurSigma, 0);
    assert.equal(p.solarize, false);
    const g = sampleViewParams(rngFor(2, 0, i), gray, 28, 28);
    assert.equal(g.grayscale, false);
    if (g.jitter) assert.deepEqual([...g.jitter.order].sort(), ["brightness", "contrast"]);
    const area = (g.crop.width * g.crop.height) / (28 * 28);
    assert.ok(area >= 0.15, `gray crop area ${area}`); // scale 0.2-1, rounding on a small image
  }
});
