import assert from "node:assert/strict";
import { compose, randomApply } from "../../src/augment/compose.ts";
import { floatImage } from "../../src/augment/image.ts";
import { rngFor } from "../../src/streams/rng.ts";

Deno.test("compose applies in order; randomApply applies at its rate", () => {
  const img = floatImage(1, 1, 1, Float32Array.from([1]));
  const add = (v: number) => () => void (img.data[0] += v);
  const mul = (v: number) => () => void (img.data[0] *= v);
  compose(add(1), mul(3))(img, rngFor(0));
  assert.equal(img.data[0], 6);
  compose(mul(3), add(1))(img, rngFor(0));
  assert.equal(img.data[0], 19);
  let hits = 0;
  const t = randomApply(() => void hits++, 0.3);
  const rng = rngFor(9);
  for (let i = 0; i < 10_000; i++) t(img, rng);
  assert.ok(Math.abs(hits - 3000) < 5 * Math.sqrt(10_000 * 0.21), `${hits}`);
  assert.throws(() => randomApply(add(1), 1.5), /p 1.5 must be in \[0, 1\]/);
});
