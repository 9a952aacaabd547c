import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { embedDataset, embedSourceOf } from "../../src/pipeline/embed.ts";
import { loadRunModel } from "../../src/pipeline/load_run.ts";
import {
  embedImageFile,
  fetchSamples,
  nearestRows,
  readRow,
  rowOfKey,
  thumbnail,
} from "../../src/pipeline/neighbors.ts";
import { readEmbeddingKeys } from "../../src/search/embedding_files.ts";
import { writePhotoFolder } from "./_photos.ts";
import { writeFixtureRun } from "./_run_fixture.ts";

await startBackend("wasm");

/** The matrix read with a DataView (little-endian float32 after the 128-byte header). */
async function rowsByHand(path: string, cols: number): Promise<number[][]> {
  const bytes = await Deno.readFile(path);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const n = (bytes.length - 128) / 4 / cols;
  return Array.from(
    { length: n },
    (_, r) => Array.from({ length: cols }, (_, d) => dv.getFloat32(128 + 4 * (r * cols + d), true)),
  );
}

Deno.test("neighbours of a row and of an image file, checked against a brute-force ranking", async () => {
  const { runDir, cfg } = await writeFixtureRun();
  const { model, step } = await loadRunModel(runDir, cfg);
  const out = `${await Deno.makeTempDir()}/e.npy`;
  const source = await embedSourceOf("mnist", undefined, cfg.data);
  const { meta, files } = await embedDataset({ model, cfg, run: runDir, step, source, out });
  const keys = await readEmbeddingKeys(files.features);
  const rows = await rowsByHand(files.features, meta.dim);
  const cos = (a: number[], b: number[]) => {
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] ** 2, bb + b[i] ** 2];
    }
    return ab / Math.sqrt(aa * bb);
  };
  const q = rowOfKey(keys, "mnist/test[3]");
  assert.equal(q, 3);
  const want = rows.map((r, i) => ({ i, s: cos(rows[q], r) })).filter((x) => x.i !== q)
    .sort((a, b) => b.s - a.s || a.i - b.i).slice(0, 6);
  const hits = await nearestRows(files.features, keys, await readRow(files.features, q), 6, q);
  assert.deepEqual(hits.map((h) => h.row), want.map((w) => w.i));
  for (const [j, h] of hits.entries()) {
    assert.ok(Math.abs(h.similarity - want[j].s) < 1e-6);
    assert.equal(h.key.key, `mnist/test[${h.row}]`);
  }
  assert.throws(
    () => rowOfKey(keys, "test[3]"),
    /no row has key 'test\[3\]' \(close: 'mnist\/test\[3\]'/,
  );
  model.dispose();
});

Deno.test("an image file embedded as a query finds its own row first (similarity 1)", async () => {
  const { runDir, cfg } = await writeFixtureRun([
    "model.encoder=resnet18",
    "model.widthMultiplier=0.125",
    "model.inChannels=3",
    "augment.preset=simclr-cifar",
    "augment.size=16",
  ]);
  const folder = await writePhotoFolder();
  const { model, step } = await loadRunModel(runDir, cfg);
  const out = `${await Deno.makeTempDir()}/e.npy`;
  const source = await embedSourceOf(folder.root);
  const { meta, files } = await embedDataset({
    model,
    cfg,
    run: runDir,
    step,
    source,
    out,
    onError: "skip",
  });
  const keys = await readEmbeddingKeys(files.features);
  const target = folder.good[2].path;
  const query = await embedImageFile(model, cfg, target, meta.view);
  const hits = await nearestRows(files.features, keys, query, 3);
  assert.equal(hits[0].key.key, target);
  assert.ok(Math.abs(hits[0].similarity - 1) < 1e-6, String(hits[0].similarity));
  assert.ok(hits[1].similarity < hits[0].similarity);

  // Thumbnails come back from the source: the centred square, at most 128 pixels a side.
  const samples = await fetchSamples(meta.source, hits.map((h) => h.key));
  const t = await thumbnail(samples.get(target)!, "imagescript");
  assert.ok(!("missing" in t));
  assert.deepEqual([t.width, t.height, t.channels], [30, 30, 3]); // c.jpg is 30 x 44
  const gone = await fetchSamples({ dataset: "imagefolder", path: folder.root }, [{
    key: "/nope.png",
    index: 99,
  }]);
  assert.match(String(gone.get("/nope.png")), /out of range|cannot read|no such/i);
  model.dispose();
});
