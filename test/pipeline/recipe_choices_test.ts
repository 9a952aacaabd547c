/**
 * The recipe choices where google-research/simclr and the PyTorch reimplementations differ
 * (issue 20, item 5): each is a pipeline field with a stated default, and reaches the objects
 * that train.
 */
import assert from "node:assert/strict";
import { loadPipeline, parsePipeline, PIPELINES_DIR } from "../../src/config/mod.ts";
import { maxStepsNote, modelConfigOf, planSteps, scheduleOf } from "../../src/pipeline/build.ts";
import { learningRateAt } from "../../src/train/lr_schedule.ts";

const parse = (text: string, overrides: string[] = []) =>
  parsePipeline(text, "choices.yaml", { overrides });

Deno.test("defaults: mean NT-Xent, Linear+bias head output, no zero-init, v2 brightness, whole-image eval", () => {
  const c = parse("");
  assert.equal(c.loss.reduction, "mean");
  assert.equal(c.model.head.output, "linear");
  assert.equal(c.model.zeroInitResidual, false);
  assert.equal(c.augment.preset, "simclr-v2");
  assert.equal(c.eval.crop, "whole");
  assert.equal(c.eval.cropProportion, 0.875);
});

Deno.test("google's choices reach the model config", () => {
  const c = parse(
    "model: { encoder: resnet18, zeroInitResidual: true, head: { layers: 3, output: linear-bn } }\n",
  );
  const m = modelConfigOf(c);
  assert.equal(m.zeroInitResidual, true);
  assert.equal(m.head?.output, "linear-bn");
  assert.equal(m.head?.layers, 3);
  assert.throws(
    () => parse("model: { encoder: small, stem: cifar, zeroInitResidual: true }\n"),
    /model.encoder small has no residual blocks/,
  );
  assert.throws(() => parse("loss: { reduction: sum }\n"), /one of: mean, sum-of-directions/);
});

Deno.test("train.maxSteps stops the run but the LR schedule still spans optim.epochs, and the log says so", () => {
  const text = "optim: { epochs: 10, batchSize: 16, warmupEpochs: 1 }\n";
  const full = parse(text);
  const capped = parse(text, ["train.maxSteps=25"]);
  const fullPlan = planSteps(full, 160); // 10 steps an epoch
  const cappedPlan = planSteps(capped, 160);
  assert.equal(fullPlan.totalSteps, 100);
  assert.equal(cappedPlan.totalSteps, 25);
  assert.equal(cappedPlan.epochs, 3);
  // The same schedule, so a capped run resumes into the uncapped one exactly.
  assert.deepEqual(scheduleOf(capped, cappedPlan), scheduleOf(full, fullPlan));
  const s = scheduleOf(capped, cappedPlan);
  assert.deepEqual([s.warmupSteps, s.totalSteps], [10, 100]);
  // cosine from peak 0.3 * 16/256 at step 10 to 0 at step 100: at 25, 0.5 * peak * (1 + cos(pi/6))
  const peak = 0.3 * 16 / 256;
  const at25 = 0.5 * peak * (1 + Math.cos(Math.PI * 15 / 90));
  assert.ok(Math.abs(learningRateAt(25, s) - at25) < 1e-12);
  assert.equal(learningRateAt(100, s), 0);
  const note = maxStepsNote(capped, cappedPlan);
  assert.ok(note, "a capped run says it stops before the schedule ends");
  assert.match(note, /train.maxSteps 25 stops the run before its LR schedule ends/);
  assert.match(
    note,
    new RegExp(`100 steps over optim.epochs 10; LR at the stop ${+at25.toPrecision(3)}`),
  );
  assert.match(note, /lower optim.epochs/);
  assert.equal(maxStepsNote(full, fullPlan), undefined);
  assert.equal(maxStepsNote(parse(text, ["train.maxSteps=100"]), fullPlan), undefined);
});

Deno.test("the shipped pipelines' choices: defaults everywhere, SimCLR's centre crop for ImageNet and photo folders", async () => {
  for (const name of ["fashion-mnist", "cifar10", "imagefolder", "imagenet-resnet50"]) {
    const c = await loadPipeline(`${PIPELINES_DIR}${name}.yaml`);
    assert.equal(c.loss.reduction, "mean", name);
    assert.equal(c.model.head.output, "linear", name);
    assert.equal(c.model.zeroInitResidual, false, name);
    assert.equal(c.augment.solarize, undefined, name);
    assert.ok(c.augment.preset !== "simclr-v1", `${name}: multiplied brightness, as before`);
    const photos = name === "imagenet-resnet50" || name === "imagefolder";
    assert.equal(c.eval.crop, photos ? "simclr" : "whole", name);
  }
});
