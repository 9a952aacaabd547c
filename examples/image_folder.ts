/**
 * SimCLR on your own images: `pipelines/imagefolder.yaml` pointed at a folder with one
 * sub-folder per class (`<root>/train/<class>/*.png|jpg`, and `<root>/test/<class>/...` for the
 * evaluation; without split folders every 5th file of each class is held out), run by
 * `pretrain`: training, checkpoint, kNN and linear probe against a random-init encoder, report.
 *
 * The settings here are tiny (16x16 views, a ResNet-18 at 1/8 width, one epoch of 8 pairs a
 * step) so that it runs in seconds; `--set` changes any of them, as `deno task pretrain` does.
 * Without `--images`, it first writes a tiny folder of PNGs (three classes of coloured
 * patterns) into a temporary folder.
 *
 * Run it:
 *
 *     deno run -A examples/image_folder.ts                       # a made-up folder, tiny settings
 *     deno run -A examples/image_folder.ts --images ~/photos --set augment.size=64
 *
 * Flags: `--images DIR` the folder, `--out DIR` where the run directory goes (default a
 * temporary folder), `--backend NAME` (default wasm), `--set key.path=value` (repeatable).
 * It prints the run directory, which `examples/encoder_features.ts --run DIR` reads.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { Image } from "imagescript";
import { loadPipeline, pretrain } from "@simclr/streams";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    images: { type: "string" },
    out: { type: "string" },
    backend: { type: "string", default: "wasm" },
    set: { type: "string", multiple: true, default: [] },
  },
});

/** Writes `perClass` PNGs of each of three classes under `dir/<class>/`. */
async function writeClasses(dir: string, perClass: number, seed: number): Promise<void> {
  const side = 24;
  const classes = {
    red_rows: [220, 40, 40],
    green_columns: [40, 200, 60],
    blue_dots: [50, 70, 230],
  };
  for (const [c, [name, rgb]] of Object.entries(classes).entries()) {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const image = new Image(side, side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const on = [y % 6 < 3, x % 6 < 3, x % 6 < 2 && y % 6 < 2][c];
          const noise = (seed + i * 131 + x * 17 + y * 29) % 40;
          const o = 4 * (y * side + x);
          for (let k = 0; k < 3; k++) image.bitmap[o + k] = on ? rgb[k] - noise : 20 + noise;
          image.bitmap[o + 3] = 255;
        }
      }
      await Deno.writeFile(
        `${dir}/${name}/${String(i).padStart(3, "0")}.png`,
        await image.encode(),
      );
    }
  }
}

let images = flags.images;
const madeUp = images === undefined;
if (images === undefined) {
  images = await Deno.makeTempDir({ prefix: "simclr-example-images-" });
  await writeClasses(`${images}/train`, 16, 0); // 48 images: 6 steps of 8 pairs
  await writeClasses(`${images}/test`, 4, 1000); // 12 images
  console.log(`wrote a tiny image folder: ${images} (train/ 3 x 16 PNGs, test/ 3 x 4)`);
}
const out = flags.out ?? await Deno.makeTempDir({ prefix: "simclr-example-runs-" });

const cfg = await loadPipeline(new URL("../pipelines/imagefolder.yaml", import.meta.url).pathname, {
  overrides: [
    `data.path=${images}`,
    `run.outDir=${out}`,
    "run.name=my-images",
    // tiny settings, so it runs in seconds on a CPU; drop them for a real run
    "data.workers=1",
    "data.prefetch=1",
    "data.decoder=imagescript",
    "augment.preset=simclr-cifar",
    "augment.size=16",
    "model.encoder=resnet18",
    "model.widthMultiplier=0.125",
    "model.stem=cifar",
    "optim.batchSize=8",
    "optim.epochs=1",
    "optim.warmupEpochs=0",
    `train.backend=${flags.backend}`,
    "train.logEvery=1",
    "eval.knn.k=5",
    "eval.monitorEvery=0",
    "eval.linearProbe.maxIterations=50",
    ...flags.set,
  ],
});

const result = await pretrain(cfg, { progress: false, log: (line) => console.log(line) });
const scores = result.evaluation?.pretrained;
assert.ok(scores, "pretrain evaluated the encoder");
assert.equal(result.steps, result.plan.totalSteps, "every planned step ran");
assert.ok(scores.knnTop1 >= 0 && scores.knnTop1 <= 1, "kNN top-1 is a share");
if (madeUp && flags.set.length === 0) {
  assert.equal(result.steps, 6, "48 train images, 8 pairs a step, one epoch");
  assert.equal(scores.trainCount, 48, "the bank is the train split");
  assert.equal(scores.testCount, 12, "the test split is evaluated");
}
console.log(`steps: ${result.steps}`);
console.log(`evaluated: ${scores.trainCount} train, ${scores.testCount} test images`);
console.log(`kNN top-1: ${(100 * scores.knnTop1).toFixed(1)}%`);
console.log(`report: ${result.reportPath}`);
console.log(`run dir: ${result.runDir}`);
