import assert from "node:assert/strict";
import { centerCropFallback, sampleCrop } from "../../src/augment/crop.ts";
import { rngFor } from "../../src/streams/rng.ts";

const RATIO: [number, number] = [3 / 4, 4 / 3];

Deno.test("fallback: centre crop with the aspect clamped to the ratio range", () => {
  // 100x10: aspect 10 > 4/3, so h = 10, w = round(10 * 4/3) = 13, left = (100 - 13) // 2 = 43.
  assert.deepEqual(centerCropFallback(100, 10, RATIO), { top: 0, left: 43, height: 10, width: 13 });
  // 10x100: aspect 0.1 < 3/4, so w = 10, h = round(10 / 0.75) = 13, top = 43.
  assert.deepEqual(centerCropFallback(10, 100, RATIO), { top: 43, left: 0, height: 13, width: 10 });
  // In range: the whole image.
  assert.deepEqual(centerCropFallback(40, 32, RATIO), { top: 0, left: 0, height: 32, width: 40 });
  // Python rounds halves to even: 3 * 1.5 = 4.5 -> 4.
  assert.deepEqual(centerCropFallback(10, 3, [0.5, 1.5]), { top: 0, left: 3, height: 3, width: 4 });
});

Deno.test("an image too thin for any attempt gets the fallback", () => {
  // 200x2 with area >= 0.5: h = sqrt(a / r) >= sqrt(200 / (4/3)) > 2, never fits.
  const box = sampleCrop(rngFor(1), 200, 2, [0.5, 1], RATIO);
  assert.deepEqual(box, centerCropFallback(200, 2, RATIO));
});

Deno.test("crop statistics: area and log-aspect uniform, position uniform, always inside", () => {
  const W = 1000, H = 1000, n = 20_000;
  const rng = rngFor(11);
  const areaBins = new Array(6).fill(0), aspectBins = new Array(6).fill(0);
  let small = 0, posSum = 0, posN = 0;
  const lo = Math.log(3 / 4), hi = Math.log(4 / 3);
  for (let i = 0; i < n; i++) {
    const b = sampleCrop(rng, W, H, [0.08, 1], RATIO);
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= H && b.left + b.width <= W);
    const area = (b.width * b.height) / (W * H);
    const aspect = b.width / b.height;
    assert.ok(area >= 0.079 && area <= 1, `area ${area}`);
    assert.ok(aspect >= 0.745 && aspect <= 1.34, `aspect ${aspect}`);
    if (b.height < H) {
      posSum += b.top / (H - b.height);
      posN++;
    }
    // Below an area of 0.5 no attempt on a square can fail (sqrt(0.5 * 4/3) < 1), so there the
    // area is uniform on [0.08, 0.5) and the log-aspect uniform on [log 3/4, log 4/3].
    if (area < 0.5 - 0.002) {
      small++;
      areaBins[Math.min(5, Math.floor(((area - 0.08) / 0.42) * 6))]++;
      aspectBins[Math.min(5, Math.max(0, Math.floor(((Math.log(aspect) - lo) / (hi - lo)) * 6)))]++;
    }
  }
  // The first attempt accepts with probability >= P(area < 0.5) = 0.42 / 0.92.
  assert.ok(small / n > 0.42, `share of small crops ${small / n}`);
  for (const bins of [areaBins, aspectBins]) {
    const e = small / 6, sd = Math.sqrt(e * (5 / 6));
    for (const c of bins) assert.ok(Math.abs(c - e) < 5 * sd + 0.02 * e, `bins ${bins}`);
  }
  assert.ok(Math.abs(posSum / posN - 0.5) < 0.02, `mean relative top ${posSum / posN}`);
});
