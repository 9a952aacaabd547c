import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { createModel, type ModelConfig } from "../../src/model/simclr_model.ts";
import { loadLayersModelFrom, saveModelFolder } from "../../src/model/tfjs_files.ts";
import { encoderLayersModel } from "../../src/model/tfjs_layers.ts";
import { randomizeModel } from "../pipeline/_run_fixture.ts";

await tf.setBackend("cpu");

const CASES: [string, ModelConfig, number][] = [
  ["small net, 1 channel", {
    encoder: "small",
    inChannels: 1,
    smallWidths: { stem: 8, stages: [8, 16, 16] },
  }, 12],
  ["resnet18, imagenet stem (max pool), 3 channels", {
    encoder: "resnet18",
    widthMultiplier: 0.125,
    stem: "imagenet",
  }, 32],
  ["resnet50, cifar stem (bottlenecks)", {
    encoder: "resnet50",
    widthMultiplier: 0.125,
    stem: "cifar",
  }, 8],
];

/** Largest |a - b| over the largest |a| (or 1). */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() =>
    tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1, tf.max(tf.abs(a)).dataSync()[0])
  );
}

for (const [what, config, size] of CASES) {
  Deno.test(`LayersModel of the ${what} computes the encoder's inference features`, () => {
    const model = createModel(config);
    randomizeModel(model, 3);
    const x = tf.randomNormal([3, size, size, config.inChannels ?? 3], 0, 1, "float32", 5);
    const ref = model.encoder.apply(x as tf.Tensor4D, { training: false });
    // Twice: the second round must leave as many tensors as it found (first-use caches aside).
    for (let round = 0; round < 2; round++) {
      const before = tf.memory().numTensors;
      const layers = encoderLayersModel(model.encoder, size);
      const y = layers.predict(x) as tf.Tensor;
      assert.deepEqual(y.shape, [3, model.encoder.featureDim]);
      const err = relErr(ref, y);
      assert.ok(err < 1e-5, `relative error ${err}`);
      layers.dispose();
      y.dispose();
      if (round === 1) assert.equal(tf.memory().numTensors, before);
    }
    assert.ok(tf.tidy(() => tf.max(tf.abs(ref)).dataSync()[0]) > 0.1);
    tf.dispose([x, ref]);
    model.dispose();
  });
}

Deno.test("model.json + weight shards load back with tf.loadLayersModel (file:// and HTTP on 127.0.0.1)", async () => {
  const model = createModel({
    encoder: "resnet18",
    widthMultiplier: 0.125,
    stem: "cifar",
    inChannels: 1,
  });
  randomizeModel(model, 9);
  const layers = encoderLayersModel(model.encoder, 16);
  const dir = await Deno.makeTempDir({ prefix: "tfjs-export-" });
  await Deno.writeFile(`${dir}/group1-shard9of9.bin`, new Uint8Array(3)); // stale: removed
  const saved = await saveModelFolder(
    layers,
    dir,
    { simclr: { mean: [0.5], std: [0.25] } },
    100_000,
  );
  const nParams = model.encoder.store.all()
    .filter((p) => p.name.startsWith("encoder.") && !p.name.endsWith("num_batches_tracked"))
    .reduce((n, p) => n + p.variable.size, 0);
  assert.equal(saved.bytes, 4 * nParams);
  assert.equal(saved.shards.length, Math.ceil(saved.bytes / 100_000));
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.equal(files.length, saved.shards.length + 1);
  assert.ok(!files.includes("group1-shard9of9.bin"));
  const json = JSON.parse(await Deno.readTextFile(saved.modelJson));
  assert.equal(json.format, "layers-model");
  assert.deepEqual(json.userDefinedMetadata, { simclr: { mean: [0.5], std: [0.25] } });
  const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
  assert.ok(names.includes("conv1/kernel"), names.slice(0, 5).join());
  assert.ok(names.includes("layer2.0.downsample.1/moving_variance"));

  const x = tf.randomNormal([2, 16, 16, 1], 0, 1, "float32", 7);
  const ref = model.encoder.apply(x as tf.Tensor4D, { training: false });
  const fromFile = await loadLayersModelFrom(dir);
  assert.deepEqual(fromFile.getUserDefinedMetadata(), { simclr: { mean: [0.5], std: [0.25] } });
  const y1 = fromFile.predict(x) as tf.Tensor;
  assert.ok(relErr(ref, y1) < 1e-5);

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const name = new URL(req.url).pathname.slice(1);
    try {
      return new Response(await Deno.readFile(`${dir}/${name}`));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const fromHttp = await tf.loadLayersModel(`http://127.0.0.1:${server.addr.port}/model.json`);
    const y2 = fromHttp.predict(x) as tf.Tensor;
    assert.ok(relErr(ref, y2) < 1e-5);
    fromHttp.dispose();
    y2.dispose();
  } finally {
    await server.shutdown();
  }
  tf.dispose([x, ref, y1]);
  fromFile.dispose();
  layers.dispose();
  model.dispose();
});
