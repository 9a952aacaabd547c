import assert from "node:assert/strict";
import { compose } from "../../src/augment/compose.ts";
import { floatImage } from "../../src/augment/image.ts";
import { colorJitter, sampleJitter } from "../../src/augment/jitter.ts";
import { rngFor } from "../../src/streams/rng.ts";
import {
  randomBlur,
  randomColorJitter,
  randomFlip,
  randomGrayscale,
  randomSolarize,
} from "../../src/augment/transforms.ts";

const rgb = () => floatImage(2, 1, 3, Float32Array.from([0.9, 0.2, 0.1, 0.3, 0.6, 0.8]));

Deno.test("each random transform fires at its rate", () => {
  const n = 4000;
  const cases = [
    [randomFlip(0.5), 0.5],
    [randomGrayscale(0.2), 0.2],
    [randomSolarize(0.5, 0.3), 0.3],
    [randomBlur(3, [0.5, 1], 0.5), 0.5],
    [randomColorJitter({ brightness: 0.5, contrast: 0, saturation: 0, hue: 0 }, 0.8), 0.8],
  ] as const;
  for (const [t, p] of cases) {
    const rng = rngFor(4);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const img = floatImage(
        3,
        1,
        3,
        Float32Array.from([0.9, 0.2, 0.1, 0.3, 0.6, 0.8, 0.7, 0.5, 0]),
      );
      const before = img.data.slice();
      t(img, rng);
      changed += +img.data.some((v, j) => v !== before[j]);
    }
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(changed - n * p) < 5 * sd, `p=${p}: ${changed}/${n}`);
  }
});

Deno.test("randomColorJitter draws the coin, then the same parameters as sampleJitter", () => {
  const s = { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 };
  const img = rgb();
  randomColorJitter(s, 1)(img, rngFor(8));
  const rng = rngFor(8);
  rng.next(); // the coin
  assert.deepEqual(img.data, colorJitter(rgb(), sampleJitter(rng, s)).data);
});

Deno.test("composed transforms are deterministic for a seed", () => {
  const t = compose(
    randomFlip(),
    randomColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
    randomGrayscale(),
  );
  const a = rgb(), b = rgb();
  t(a, rngFor(1, 2, 3));
  t(b, rngFor(1, 2, 3));
  assert.deepEqual(a.data, b.data);
  assert.throws(() => randomFlip(2), /randomFlip: p 2 must be in \[0, 1\]/);
});
