import assert from "node:assert/strict";
import {
  configToYaml,
  DEFAULT_PIPELINE,
  loadPipeline,
  parsePipeline,
  PIPELINES_DIR,
} from "../../src/config/mod.ts";
import { peakLearningRate } from "../../src/train/lr_schedule.ts";

const shipped = ["fashion-mnist", "cifar10", "imagefolder", "imagenet-resnet50"];

Deno.test("every shipped pipeline validates and round-trips through config.yaml", async () => {
  const files = [...Deno.readDirSync(PIPELINES_DIR)].map((e) => e.name).sort();
  assert.deepEqual(files, shipped.map((n) => `${n}.yaml`).sort());
  for (const name of shipped) {
    const cfg = await loadPipeline(`${PIPELINES_DIR}${name}.yaml`);
    assert.equal(cfg.run.name, name);
    const again = parsePipeline(configToYaml(cfg, ["resolved"]), "config.yaml");
    assert.deepEqual(again, cfg);
  }
});

Deno.test("the default pipeline is fashion-mnist, 1-channel, small, batch 256", async () => {
  assert.match(DEFAULT_PIPELINE, /pipelines\/fashion-mnist\.yaml$/);
  const cfg = await loadPipeline();
  assert.equal(cfg.data.dataset, "fashion-mnist");
  assert.equal(cfg.augment.preset, "simclr-gray");
  assert.equal(cfg.augment.size, 28);
  assert.equal(cfg.model.encoder, "small");
  assert.equal(cfg.model.inChannels, 1);
  assert.equal(cfg.optim.batchSize, 256);
  // A few epochs over a subset: at most ~50k view pairs in total.
  assert.ok(cfg.optim.epochs * (cfg.data.maxSamples ?? 60000) <= 50000);
});

Deno.test("cifar10 and imagenet-resnet50 carry the paper's settings", async () => {
  const c = await loadPipeline(`${PIPELINES_DIR}cifar10.yaml`);
  assert.deepEqual([c.model.encoder, c.model.stem, c.optim.batchSize], ["resnet18", "cifar", 512]);
  const i = await loadPipeline(`${PIPELINES_DIR}imagenet-resnet50.yaml`);
  assert.equal(i.model.encoder, "resnet50");
  assert.equal(i.optim.name, "lars");
  assert.equal(i.optim.batchSize, 4096);
  assert.equal(
    peakLearningRate({ baseLr: i.optim.baseLr, scaling: i.optim.lrScaling, batchSize: 4096 }),
    4.8,
  );
  assert.equal(i.optim.weightDecay, 1e-6);
  assert.equal(i.optim.epochs, 100);
  assert.equal(i.optim.warmupEpochs, 10);
  assert.equal(i.loss.temperature, 0.1);
  const f = await loadPipeline(`${PIPELINES_DIR}imagefolder.yaml`);
  assert.deepEqual([f.augment.preset, f.augment.size, f.model.encoder], [
    "simclr-v1",
    224,
    "resnet50",
  ]);
});

Deno.test("an empty file gets every default", () => {
  const cfg = parsePipeline("", "pipelines/empty.yaml");
  assert.equal(cfg.run.name, "empty");
  assert.equal(cfg.run.outDir, "runs/");
  assert.equal(cfg.eval.knn.k, 200);
  assert.equal(cfg.eval.knn.temperature, 0.1);
  assert.equal(cfg.model.head.out, 128);
  assert.equal(cfg.data.path, undefined);
  assert.equal(cfg.optim.lrScaling, "linear");
});

Deno.test("a missing pipeline file names the shipped ones", async () => {
  await assert.rejects(
    () => loadPipeline("pipelines/nope.yaml"),
    /cifar10\.yaml, fashion-mnist\.yaml/,
  );
});
