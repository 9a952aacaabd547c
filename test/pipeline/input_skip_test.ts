/**
 * Bad image files on the training input's real path (read, then decode and augment in the view
 * workers or on this thread): skipped, counted and reported once per epoch, or the run stops
 * naming the file.
 */
import assert from "node:assert/strict";
import { parsePipeline } from "../../src/config/load.ts";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { openDataset } from "../../src/data/registry.ts";
import { planSteps } from "../../src/pipeline/build.ts";
import { trainingBatches, type TrainingInputOptions } from "../../src/pipeline/input.ts";
import { collect } from "../../src/streams/stage.ts";
import type { Batch } from "../../src/train/batch.ts";
import { encodePng, pattern } from "../data/fixtures/png.ts";

/** `good` (default 8) good 4x3 PNGs in two classes, plus (optionally) 4 broken files. */
async function folder(broken: boolean, good = 8): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/a`);
  await Deno.mkdir(`${root}/b`);
  for (let i = 0; i < good; i++) {
    const png = await encodePng({ width: 4, height: 3, colorType: 2, samples: pattern(36, i) });
    await Deno.writeFile(`${root}/${i % 2 ? "b" : "a"}/img${i}.png`, png);
  }
  if (broken) {
    const png = await encodePng({ width: 4, height: 3, colorType: 2, samples: pattern(36, 99) });
    await Deno.writeFile(`${root}/a/empty.png`, new Uint8Array(0));
    await Deno.writeFile(`${root}/a/cut.png`, png.slice(0, png.length - 30));
    await Deno.writeFile(`${root}/b/fake.jpg`, new TextEncoder().encode("<html>not found</html>"));
    const corrupt = png.slice();
    corrupt.fill(0, 45, 60);
    await Deno.writeFile(`${root}/b/corrupt.png`, corrupt);
  }
  return root;
}

async function options(
  root: string,
  extra: Partial<TrainingInputOptions>,
): Promise<TrainingInputOptions> {
  return {
    dataset: await openDataset("imagefolder", { path: root }),
    augment: { preset: "simclr-cifar", size: 8 },
    channels: 3,
    batchSize: 4,
    microStepsPerEpoch: 2,
    seed: 3,
    epochs: 2,
    workers: 0,
    prefetch: 1,
    ...extra,
  };
}

Deno.test("onError skip: bad files are dropped, counted and reported once per epoch, the last one too", async () => {
  const root = await folder(true);
  for (const workers of [0, 2]) {
    const reports: SkipReport[] = [];
    const skips = new SkipLog((r) => reports.push(r));
    const batches = await collect(
      trainingBatches(await options(root, { workers, onError: "skip", skips })),
    );
    assert.equal(batches.length, 4, `${workers} workers`);
    for (const epoch of [0, 1]) {
      const keys = batches.filter((b) => b.epoch === epoch).flatMap((b) => b.keys);
      assert.deepEqual(
        keys.map((k) => k.slice(root.length + 1)).sort(),
        ["a/img0.png", "a/img2.png", "a/img4.png", "a/img6.png"].concat(
          ["b/img1.png", "b/img3.png", "b/img5.png", "b/img7.png"],
        ),
      );
    }
    assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 4], [1, 4]]);
    const all = reports[0].examples.join("\n");
    assert.match(all, /a\/empty.png: empty file \(0 bytes\)/);
    assert.match(all, /a\/cut.png: truncated PNG/);
    assert.match(all, /b\/fake.jpg: unsupported image format/);
    assert.match(all, /b\/corrupt.png: cannot decode PNG/);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("onError fail (default): the input errors naming the bad file", async () => {
  const root = await folder(true);
  await Deno.remove(`${root}/a/empty.png`);
  await Deno.remove(`${root}/a/cut.png`);
  await Deno.remove(`${root}/b/corrupt.png`);
  for (const workers of [0, 2]) {
    await assert.rejects(
      collect(trainingBatches(await options(root, { workers }))),
      /b\/fake.jpg: unsupported image format/,
    );
  }
  await Deno.remove(root, { recursive: true });
});

/** The plan of `batchSize` pairs a step in `k` micro-batches for `samples` files. */
function plan(batchSize: number, k: number, samples: number) {
  const cfg = parsePipeline("model: { encoder: small }\n", "plan.yaml", {
    overrides: [`optim.batchSize=${batchSize}`, `optim.accumulateSteps=${k}`],
  });
  return planSteps(cfg, samples);
}

Deno.test("onError skip: skipped samples come out of the epoch's unused tail; every epoch keeps the planned micro-batches", async () => {
  // 22 good files + 4 bad; 9 pairs a step in 3 micro-batches of 3: floor(26 / 3) = 8 micro-batches,
  // 2 whole steps = 6 micro-batches (18 samples) an epoch, from the 22 good ones (7 batches' worth)
  const root = await folder(true, 22);
  const p = plan(9, 3, 26);
  assert.equal(p.microStepsPerEpoch, 6);
  for (const workers of [0, 2]) {
    const reports: SkipReport[] = [];
    const batches: Batch[] = await collect(trainingBatches(
      await options(root, {
        workers,
        onError: "skip",
        skips: new SkipLog((r) => reports.push(r)),
        batchSize: p.microBatch,
        microStepsPerEpoch: p.microStepsPerEpoch,
        epochs: 3,
      }),
    ));
    assert.deepEqual(
      batches.map((b) => [b.epoch, b.microStep]),
      Array.from({ length: 18 }, (_, m) => [Math.floor(m / 6), m]),
      `${workers} workers`,
    );
    for (const b of batches) assert.ok(b.keys.every((k) => /img\d+\.png$/.test(k)), b.keys.join());
    assert.deepEqual(reports.map((r) => r.count), [4, 4, 4]);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("onError skip: an epoch left with fewer good samples than its planned micro-batches stops the input, saying so", async () => {
  // 8 good + 4 bad files, 4 pairs a step: the plan (12 files) wants 3 batches = 12 samples
  const root = await folder(true);
  const p = plan(4, 1, 12);
  await assert.rejects(
    collect(trainingBatches(
      await options(root, {
        onError: "skip",
        skips: new SkipLog(() => {}),
        batchSize: p.microBatch,
        microStepsPerEpoch: p.microStepsPerEpoch,
      }),
    )),
    (e: Error) => {
      assert.match(
        e.message,
        /^epoch 1: 8 usable samples, fewer than the 12 of the 3 micro-batches of 4 pairs planned for an epoch \(4 bad samples skipped in it, e\.g\. .*\.(png|jpg): .*\)\. fix or remove the bad samples$/,
      );
      return true;
    },
  );
  await Deno.remove(root, { recursive: true });
});
