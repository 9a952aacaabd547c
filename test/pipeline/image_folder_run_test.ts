/**
 * A whole run on an image folder (issue 17, item 1): pretraining reads the train split only,
 * evaluation scores the test split by the train split's classes, never split names as classes;
 * eval caps sample class-balanced. And a wrong data.path for a named dataset fails (item 2).
 */
import assert from "node:assert/strict";
import { imageFolderSplit } from "../../src/data/image_folder_split.ts";
import { evalSampleIndices } from "../../src/pipeline/evaluate_run.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { encodePng } from "../data/fixtures/png.ts";
import { fixtureConfig, fixtureImage, SIDE } from "./_fixture.ts";

const CLASSES = ["bars", "columns", "diagonals", "diamond"];
const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });

async function writeImages(dir: string, perClass: number, offset: number): Promise<void> {
  for (const [label, name] of CLASSES.entries()) {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const png = await encodePng({
        width: SIDE,
        height: SIDE,
        colorType: 0,
        samples: fixtureImage(offset + 100 * label + i, label),
      });
      await Deno.writeFile(`${dir}/${name}/${String(i).padStart(3, "0")}.png`, png);
    }
  }
}

async function run(root: string, name: string, extra: string[] = []) {
  const lines: string[] = [];
  const config = fixtureConfig(root, out, [
    "data.dataset=imagefolder",
    `data.path=${root}`,
    "optim.epochs=1",
    "eval.linearProbe.enabled=false",
    "eval.randomInitFloor=false",
    ...extra,
  ]);
  const result = await pretrain(config, {
    progress: false,
    log: (l) => void lines.push(l),
    runDir: `${out}/${name}`,
  });
  const evaluation = JSON.parse(await Deno.readTextFile(runFiles(`${out}/${name}`).eval));
  return { result, evaluation, log: lines.join("\n") };
}

Deno.test("image folder with train/ and test/: pretrains on train only, evaluates test by train's classes", async () => {
  const root = await Deno.makeTempDir({ prefix: "simclr-folder-" });
  await writeImages(`${root}/train`, 12, 0); // 48 images: 3 steps of 16 pairs
  await writeImages(`${root}/test`, 5, 50_000); // 20 images
  const { result, evaluation, log } = await run(root, "split");
  assert.match(log, /data: imagefolder, 48 samples; 3 steps\/epoch/);
  assert.equal(result.steps, 3);
  assert.equal(evaluation.trainSplit, "train");
  assert.equal(evaluation.testSplit, "test");
  assert.equal(evaluation.pretrained.trainCount, 48);
  assert.equal(evaluation.pretrained.testCount, 20);
  await Deno.remove(root, { recursive: true });
});

Deno.test("image folder without split folders: every 5th file of each class is held out of pretraining and tested", async () => {
  const root = await Deno.makeTempDir({ prefix: "simclr-folder-" });
  await writeImages(root, 10, 0); // 40 images: 32 train (2 steps), 8 test
  const { result, evaluation, log } = await run(root, "holdout");
  assert.match(log, /data: imagefolder, 32 samples; 2 steps\/epoch/);
  assert.equal(result.steps, 2);
  assert.equal(evaluation.trainSplit, "train (all but every 5th file of each class)");
  assert.equal(evaluation.testSplit, "test (every 5th file of each class)");
  assert.equal(evaluation.pretrained.trainCount, 32);
  assert.equal(evaluation.pretrained.testCount, 8);
  // A named split that does not exist is an error, not a silent choice.
  await assert.rejects(
    run(root, "val", ["eval.testSplit=val"]),
    /has no split folders, so its splits are 'train' .* not 'val'/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("eval caps on an image folder sample every class by seed, not the first classes in path order", async () => {
  const root = await Deno.makeTempDir({ prefix: "simclr-folder-" });
  await writeImages(`${root}/train`, 12, 0);
  await writeImages(`${root}/test`, 5, 50_000);
  const bank = await imageFolderSplit(root, "train");
  const idx = evalSampleIndices(bank, 8, 3);
  const per = CLASSES.map((_, c) => [...idx].filter((i) => bank.labels[i] === c).length);
  assert.deepEqual(per, [2, 2, 2, 2]); // path order's first 8 would all be "bars"
  assert.notDeepEqual([...evalSampleIndices(bank, 8, 4)], [...idx], "the seed draws the sample");
  assert.deepEqual([...evalSampleIndices(bank, undefined, 3)], bank.labels.map((_, i) => i));
  // Datasets without a file listing keep their first N.
  const plain = { name: "plain", length: 10, get: () => Promise.reject(new Error("unused")) };
  assert.deepEqual([...evalSampleIndices(plain, 3, 3)], [0, 1, 2]);
  // And a capped run evaluates that many.
  const { evaluation } = await run(root, "capped", [
    "eval.maxTrainSamples=8",
    "eval.maxTestSamples=8",
  ]);
  assert.equal(evaluation.pretrained.trainCount, 8);
  assert.equal(evaluation.pretrained.testCount, 8);
  await Deno.remove(root, { recursive: true });
});

Deno.test(
  "a wrong data.path for fashion-mnist fails with the path and the fix (no fall-back to the system copy)",
  async () => {
    const config = fixtureConfig(`${out}/no-such-folder`, out, [
      "data.dataset=fashion-mnist",
      `data.path=${out}/no-such-folder`,
      "train.maxSteps=1",
    ]);
    await assert.rejects(
      pretrain(config, {
        progress: false,
        log: () => {},
        runDir: `${out}/wrong-path`,
        evaluate: false,
      }),
      new RegExp(
        `dataset 'fashion-mnist': not found at the given path: ${out}/no-such-folder: no such folder`,
      ),
    );
  },
);
