import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { evalView, type EvalViewSpec } from "../../src/augment/eval_view.ts";
import { resolveAugment } from "../../src/augment/presets.ts";
import { startBackend } from "../../src/backend/start.ts";
import { decodeSample } from "../../src/data/decoder.ts";
import { createDecoder } from "../../src/data/decoders.ts";
import { openDataset } from "../../src/data/registry.ts";
import type { RawImage } from "../../src/data/sample.ts";
import type { PipelineConfig } from "../../src/config/pipeline.ts";
import { embedDataset, type EmbedOptions, embedSourceOf } from "../../src/pipeline/embed.ts";
import { loadRunModel } from "../../src/pipeline/load_run.ts";
import {
  embeddingFiles,
  readEmbeddingKeys,
  readEmbeddingMeta,
} from "../../src/search/embedding_files.ts";
import { NpyMatrix } from "../../src/search/npy.ts";
import { makeTar } from "../data/fixtures/tar.ts";
import { encodePng } from "../../src/report/_png.ts";
import { photoPixels, writePhotoFolder } from "./_photos.ts";
import { writeFixtureRun } from "./_run_fixture.ts";

await startBackend("wasm");

const RGB_RUN = [
  "model.encoder=resnet18",
  "model.widthMultiplier=0.125",
  "model.stem=imagenet",
  "model.inChannels=3",
  "augment.preset=simclr-cifar",
  "augment.size=16",
  // a centre crop, so the run's eval.crop is seen to reach the workers (the photos are not square)
  "eval.crop=center",
  "eval.cropProportion=0.75",
];

async function readMatrix(
  path: string,
): Promise<{ rows: number; cols: number; data: Float32Array }> {
  const m = await NpyMatrix.open(path);
  const data = await m.readRows(0, m.rows);
  m.close();
  return { rows: m.rows, cols: m.cols, data };
}

/** The run's evaluation view, from its config. */
function viewOf(cfg: PipelineConfig): EvalViewSpec {
  const a = resolveAugment(cfg.augment);
  const { crop, cropProportion } = cfg.eval;
  return { size: a.size, mean: a.mean, std: a.std, crop, cropProportion };
}

/** The encoder's features of one decoded image, computed here image by image. */
function featuresOf(
  encode: (x: tf.Tensor4D) => tf.Tensor2D,
  image: RawImage,
  spec: EvalViewSpec,
): Float32Array {
  const v = evalView(image, spec);
  return tf.tidy(() => encode(tf.tensor4d(v.data, [1, spec.size, spec.size, image.channels])))
    .dataSync() as Float32Array;
}

Deno.test("embed a photo folder: rows in path order, labels, the broken file skipped and listed, values", async () => {
  const { runDir, cfg } = await writeFixtureRun(RGB_RUN);
  const folder = await writePhotoFolder();
  const { model, step } = await loadRunModel(runDir, cfg);
  const out = await Deno.makeTempDir({ prefix: "embed-" });
  const options: EmbedOptions = {
    model,
    cfg,
    run: runDir,
    step,
    source: await embedSourceOf(folder.root),
    out: `${out}/a.npy`,
    onError: "skip",
    workers: 2,
    batchSize: 2,
  };
  const progress: number[] = [];
  const before = tf.memory().numTensors;
  const { meta, files } = await embedDataset({ ...options, onProgress: (n) => progress.push(n) });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(meta.source, { dataset: "imagefolder", path: folder.root });
  assert.equal(meta.rows, 5);
  assert.equal(meta.step, 7);
  assert.equal(meta.skipped.length, 1);
  assert.equal(meta.skipped[0].key, folder.broken);
  assert.match(meta.skipped[0].error, /broken\.jpg/);
  assert.equal(progress.at(-1), 6);
  const keys = await readEmbeddingKeys(files.features);
  assert.deepEqual(keys.map((k) => k.key), folder.good.map((g) => g.path));
  assert.deepEqual(keys.map((k) => k.label), folder.good.map((g) => g.label));
  const m = await readMatrix(files.features);
  assert.deepEqual([m.rows, m.cols], [5, model.encoder.featureDim]);
  const spec = viewOf(cfg);
  assert.equal(meta.view.crop, "center");
  const decoder = await createDecoder("imagescript");
  const encode = (x: tf.Tensor4D) => model.encoder.apply(x, { training: false });
  for (const [i, g] of folder.good.entries()) {
    const image = await decodeSample(
      decoder,
      { key: g.path, bytes: await Deno.readFile(g.path) },
      3,
    );
    const want = featuresOf(encode, image, spec);
    const got = m.data.subarray(i * m.cols, (i + 1) * m.cols);
    for (let d = 0; d < m.cols; d++) {
      assert.ok(Math.abs(got[d] - want[d]) < 1e-5, `${g.path}[${d}]`);
    }
  }

  // The same input again, on the main thread this time: identical files.
  const second = await embedDataset({ ...options, out: `${out}/b.npy`, workers: 0, batchSize: 3 });
  for (const k of ["features", "keys", "meta"] as const) {
    assert.deepEqual(await Deno.readFile(second.files[k]), await Deno.readFile(files[k]), k);
  }

  // onError fail: the run stops naming the file, and leaves no files behind.
  await assert.rejects(
    () => embedDataset({ ...options, out: `${out}/c.npy`, onError: "fail" }),
    /broken\.jpg/,
  );
  assert.deepEqual([...Deno.readDirSync(out)].filter((e) => e.name.startsWith("c.")), []);
  model.dispose();
});

Deno.test("embed the run's dataset kind (IDX by name, at the run's path) with projections", async () => {
  const { runDir, cfg } = await writeFixtureRun();
  const { model, step } = await loadRunModel(runDir, cfg);
  const out = `${await Deno.makeTempDir()}/e.npy`;
  const source = await embedSourceOf("mnist", undefined, cfg.data);
  assert.deepEqual(source, { dataset: "mnist", path: cfg.data.path, split: "test" });
  const { meta, files } = await embedDataset({
    model,
    cfg,
    run: runDir,
    step,
    source,
    out,
    projections: true,
  });
  assert.equal(meta.projectionDim, 8);
  const opened = await openDataset("mnist", { path: cfg.data.path, split: "test" });
  assert.ok(opened.kind === "indexed");
  assert.equal(meta.rows, opened.dataset.length);
  const keys = await readEmbeddingKeys(files.features);
  const h = await readMatrix(files.features), z = await readMatrix(files.projections);
  assert.equal(z.cols, 8);
  const spec = viewOf(cfg);
  for (const i of [0, 7, meta.rows - 1]) {
    const s = await opened.dataset.get(i) as RawImage;
    assert.deepEqual(keys[i], { key: s.key, label: s.label, index: i });
    const v = evalView(s, spec);
    const [wantH, wantZ] = tf.tidy(() => {
      const hh = model.encoder.apply(tf.tensor4d(v.data, [1, spec.size, spec.size, 1]), {
        training: false,
      });
      return [hh.dataSync(), model.head.apply(hh, { training: false }).dataSync()];
    });
    for (let d = 0; d < h.cols; d++) assert.ok(Math.abs(h.data[i * h.cols + d] - wantH[d]) < 1e-5);
    for (let d = 0; d < 8; d++) assert.ok(Math.abs(z.data[i * 8 + d] - wantZ[d]) < 1e-5);
  }
  assert.equal((await readEmbeddingMeta(out)).rows, meta.rows);
  model.dispose();
});

Deno.test("embed tar shards: shard order then member order, keys shard:key with the .cls label", async () => {
  const { runDir, cfg } = await writeFixtureRun(RGB_RUN);
  const folder = await writePhotoFolder();
  const dir = await Deno.makeTempDir();
  const good = folder.good;
  const entries = (from: number, to: number) =>
    good.slice(from, to).flatMap((g, i) => [
      { name: `s${from + i}.${g.path.split(".").pop()}`, data: Deno.readFileSync(g.path) },
      { name: `s${from + i}.cls`, data: String(from + i) },
    ]);
  await Deno.writeFile(`${dir}/t-0.tar`, makeTar(entries(0, 3)));
  await Deno.writeFile(`${dir}/t-1.tar`, makeTar(entries(3, 5)));
  const source = await embedSourceOf(`${dir}/t-{0..1}.tar`);
  assert.equal(source.dataset, "tar");
  const { model, step } = await loadRunModel(runDir, cfg);
  const { meta, files } = await embedDataset({
    model,
    cfg,
    run: runDir,
    step,
    source,
    out: `${dir}/e.npy`,
    workers: 1,
  });
  assert.equal(meta.rows, 5);
  const keys = await readEmbeddingKeys(files.features);
  assert.deepEqual(
    keys,
    [0, 1, 2, 3, 4].map((i) => ({ key: `${dir}/t-${i < 3 ? 0 : 1}.tar:s${i}`, label: i })),
  );
  // Same rows as the folder's images.
  const fromFolder = await embedDataset({
    model,
    cfg,
    run: runDir,
    step,
    source: await embedSourceOf(folder.root),
    out: `${dir}/f.npy`,
    onError: "skip",
  });
  assert.deepEqual(
    await Deno.readFile(files.features),
    await Deno.readFile(embeddingFiles(fromFolder.files.features).features),
  );
  model.dispose();
});

Deno.test("embed --data that is neither folder, shards nor dataset says what it accepts", async () => {
  await assert.rejects(
    () => embedSourceOf("/no/such/thing"),
    /not an image folder, tar shards .*fashion-mnist/,
  );
});

Deno.test("embed a class-tree folder without --split: every image, the 5th of each class too", async () => {
  const { runDir, cfg } = await writeFixtureRun(RGB_RUN);
  const root = await Deno.makeTempDir({ prefix: "embed-tree-" });
  const want: string[] = [];
  for (const cls of ["a", "b"]) {
    await Deno.mkdir(`${root}/${cls}`);
    for (let i = 0; i < 6; i++) {
      const path = `${root}/${cls}/${i}.png`;
      await Deno.writeFile(path, encodePng(photoPixels(12, 10, 3, i), 12, 10, 3));
      want.push(path);
    }
  }
  const { model, step } = await loadRunModel(runDir, cfg);
  const out = await Deno.makeTempDir({ prefix: "embed-" });
  const { meta, files } = await embedDataset({
    model,
    cfg,
    run: runDir,
    step,
    source: await embedSourceOf(root),
    out: `${out}/tree.npy`,
    onError: "fail",
    workers: 0,
    batchSize: 4,
  });
  assert.equal(meta.rows, 12);
  const keys = await readEmbeddingKeys(files.features);
  assert.deepEqual(keys.map((k) => k.key), want);
  assert.deepEqual(keys.map((k) => k.label), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  model.dispose();
  await Deno.remove(root, { recursive: true });
  await Deno.remove(out, { recursive: true });
});
