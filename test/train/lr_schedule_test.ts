import assert from "node:assert/strict";
import { learningRateAt, peakLearningRate } from "../../src/train/lr_schedule.ts";

Deno.test("peakLearningRate: linear 0.3 x batch/256 and sqrt 0.075 x sqrt(batch)", () => {
  assert.equal(peakLearningRate({ baseLr: 0.3, batchSize: 4096 }), 4.8);
  const sqrt = peakLearningRate({ baseLr: 0.075, scaling: "sqrt", batchSize: 4096 });
  assert.ok(Math.abs(sqrt - 4.8) < 1e-12);
  assert.equal(peakLearningRate({ baseLr: 1e-3, scaling: "none", batchSize: 512 }), 1e-3);
  assert.throws(
    () => peakLearningRate({ baseLr: 1, scaling: "cubic" as never, batchSize: 1 }),
    /unknown LR scaling 'cubic': choose linear, sqrt or none/,
  );
});

Deno.test("learningRateAt: warmup start/end, cosine midpoint and end", () => {
  const o = { baseLr: 0.3, batchSize: 512, warmupSteps: 10, totalSteps: 110 };
  const peak = 0.6;
  assert.equal(learningRateAt(0, o), 0);
  assert.ok(Math.abs(learningRateAt(5, o) - peak / 2) < 1e-12);
  assert.ok(Math.abs(learningRateAt(10, o) - peak) < 1e-12);
  assert.ok(Math.abs(learningRateAt(60, o) - peak / 2) < 1e-12);
  assert.ok(Math.abs(learningRateAt(110, o)) < 1e-12);
  assert.ok(Math.abs(learningRateAt(35, o) - 0.5 * peak * (1 + Math.cos(Math.PI / 4))) < 1e-12);
});
