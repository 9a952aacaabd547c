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
    "simclr-v2",
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

Deno.test("train.checkpointEvery: a unit (steps, epochs, s/min/h) or a bare number of epochs; default 10 min, keep 3", () => {
  const every = (v: string) => parsePipeline(`train:\n  checkpointEvery: ${v}\n`).train;
  assert.equal(every("1").checkpointEvery, "1"); // a config of before units: 1 epoch
  assert.equal(every("500 steps").checkpointEvery, "500 steps");
  assert.equal(every("10 min").checkpointEvery, "10 min");
  const defaults = parsePipeline("").train;
  assert.equal(defaults.checkpointEvery, "10 min");
  assert.equal(defaults.keepCheckpoints, 3);
  assert.throws(
    () => every("5 parsecs"),
    /train\.checkpointEvery.*'5 parsecs' is not allowed[\s\S]*steps, epochs, s, min or h/,
  );
  assert.throws(() => every("0 steps"), /checkpointEvery '0 steps' is not allowed/);
  // round trip: the number written as text comes back as the same config
  const cfg = parsePipeline("train:\n  checkpointEvery: 2\n");
  assert.deepEqual(parsePipeline(configToYaml(cfg), "config.yaml").train, cfg.train);
});

Deno.test("eval.dataset/path/enabled: imagefolder needs a path; the monitor needs evaluation on", () => {
  const cfg = parsePipeline("eval:\n  dataset: cifar10\n  enabled: false\n");
  assert.equal(cfg.eval.dataset, "cifar10");
  assert.equal(cfg.eval.enabled, false);
  assert.throws(
    () => parsePipeline("eval:\n  dataset: imagefolder\n"),
    /eval\.path is required for eval\.dataset imagefolder/,
  );
  assert.throws(() => parsePipeline("eval:\n  dataset: tar\n"), /eval\.dataset/);
  assert.throws(
    () => parsePipeline("eval:\n  enabled: false\n  monitorEvery: 5\n"),
    /set eval\.monitorEvery: 0 with enabled: false/,
  );
});

Deno.test("finetune.labels: a share or a count, the count plain or quoted in YAML", () => {
  const labels = (v: string) => parsePipeline(`finetune:\n  labels: ${v}\n`).finetune.labels;
  assert.equal(labels("600"), "600");
  assert.equal(labels("'600'"), "600");
  assert.equal(labels("1%"), "1%");
  assert.equal(parsePipeline("").finetune.labels, "10%");
  assert.throws(() => labels("many"), /finetune\.labels.*'many' is not allowed/);
});
