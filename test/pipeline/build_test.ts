/**
 * `planSteps` (global batch -> micro-batches x ranks x accumulation, steps per epoch, maxSteps)
 * and `scheduleOf` (warmup capped at the planned steps), checked against arithmetic done here.
 */
import assert from "node:assert/strict";
import { parsePipeline } from "../../src/config/load.ts";
import { planSteps, scheduleOf } from "../../src/pipeline/build.ts";

function config(overrides: string[]) {
  return parsePipeline("model: { encoder: small }\n", "plan.yaml", { overrides });
}

Deno.test("planSteps: accumulation x ranks x batch size, over dataset sizes and epochs", () => {
  const cases: [batch: number, k: number, ranks: number, samples: number, epochs: number][] = [
    [256, 1, 1, 2048, 3],
    [256, 4, 1, 2048, 3],
    [256, 2, 4, 6000, 5],
    [96, 3, 2, 1000, 2],
    [16, 1, 2, 96, 2],
    [4096, 8, 8, 60000, 100],
  ];
  for (const [batch, k, ranks, samples, epochs] of cases) {
    const cfg = config([
      `optim.batchSize=${batch}`,
      `optim.accumulateSteps=${k}`,
      `optim.epochs=${epochs}`,
    ]);
    const plan = planSteps(cfg, samples, ranks);
    const what = `batch ${batch}, k ${k}, ${ranks} ranks, ${samples} samples`;
    // every rank's micro-batch x ranks x micro-batches per step = the global batch
    assert.equal(plan.microBatch * ranks * k, batch, what);
    // an optimizer step per whole global batch in the epoch (the rest is dropped)
    const steps = Math.floor(samples / batch);
    assert.equal(plan.stepsPerEpoch, steps, what);
    assert.equal(plan.microStepsPerEpoch, steps * k, what);
    assert.equal(plan.totalSteps, steps * epochs, what);
    assert.equal(plan.epochs, epochs, what);
  }
});

Deno.test("planSteps: maxSteps cuts the run and the epochs the data stream must cover", () => {
  // 2048 samples / 256 = 8 steps an epoch, 10 epochs planned
  const base = ["optim.batchSize=256", "optim.epochs=10"];
  for (const [maxSteps, epochs] of [[1, 1], [8, 1], [9, 2], [17, 3], [80, 10], [500, 10]]) {
    const plan = planSteps(config([...base, `train.maxSteps=${maxSteps}`]), 2048);
    assert.equal(plan.totalSteps, Math.min(maxSteps, 80), `maxSteps ${maxSteps}`);
    assert.equal(plan.epochs, epochs, `maxSteps ${maxSteps}`);
    assert.equal(plan.stepsPerEpoch, 8);
  }
});

Deno.test("scheduleOf: warmup in steps, capped at the planned steps; maxSteps does not change the LR", () => {
  const base = ["optim.batchSize=256", "optim.epochs=10"]; // 8 steps an epoch, 80 planned
  const s = (o: string[]) => {
    const cfg = config([...base, ...o]);
    return scheduleOf(cfg, planSteps(cfg, 2048));
  };
  assert.equal(s(["optim.warmupEpochs=0.5"]).warmupSteps, 4);
  assert.equal(s(["optim.warmupEpochs=2.3"]).warmupSteps, Math.round(2.3 * 8)); // 18
  assert.equal(s(["optim.warmupEpochs=0"]).warmupSteps, 0);
  assert.equal(s(["optim.warmupEpochs=25"]).warmupSteps, 80); // longer than the run
  assert.equal(s([]).totalSteps, 80);
  // a run cut by maxSteps follows the schedule of the planned run, so that it can be resumed
  assert.deepEqual(s(["train.maxSteps=5"]), s([]));
  const full = s(["optim.warmupEpochs=1", "optim.baseLr=0.6", "optim.lrScaling=sqrt"]);
  assert.deepEqual(full, {
    baseLr: 0.6,
    scaling: "sqrt",
    batchSize: 256,
    warmupSteps: 8,
    totalSteps: 80,
  });
});

Deno.test("planSteps: a micro-batch that does not split over the ranks, or a dataset smaller than one batch, is refused", () => {
  assert.throws(
    () => planSteps(config(["optim.batchSize=96", "optim.accumulateSteps=2"]), 1000, 5),
    (e: Error) => {
      assert.equal(
        e.message,
        "optim.batchSize 96 / accumulateSteps 2 = 48 pairs per micro-batch cannot be split " +
          "evenly over 5 processes",
      );
      return true;
    },
  );
  assert.throws(
    () => planSteps(config(["optim.batchSize=256"]), 255),
    (e: Error) => {
      assert.equal(
        e.message,
        "the dataset has 255 samples, fewer than one optimizer batch of 256 pairs: lower " +
          "optim.batchSize (or raise data.maxSamples)",
      );
      return true;
    },
  );
  // exactly one batch is enough
  assert.equal(planSteps(config(["optim.batchSize=256", "optim.epochs=1"]), 256).totalSteps, 1);
  // and the config refuses a batch that accumulation cannot split
  assert.throws(
    () => config(["optim.batchSize=100", "optim.accumulateSteps=3"]),
    /batchSize 100 is not divisible by accumulateSteps 3/,
  );
});
