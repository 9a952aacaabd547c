/**
 * `finetune()` end to end on the tiny IDX fixture: the labelled subset (class-balanced, by seed,
 * listed), both fine-tunings, the probe, eval.json, metrics, checkpoints and report, with no
 * tensor left behind; the encoder trains and the projection head does not.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { finetune } from "../../src/pipeline/finetune.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { decodeSafetensors } from "../../src/model/safetensors.ts";
import { writeFixtureDataset } from "./_fixture.ts";
import { writeFixtureRun } from "./_run_fixture.ts";

await startBackend("wasm");
const data = await writeFixtureDataset(40, 24); // labels (7i) mod 4: 10 of each class
const { runDir } = await writeFixtureRun([], data);
globalThis.addEventListener("unload", () => {
  for (const dir of [data, runDir]) Deno.removeSync(dir, { recursive: true });
});
const quick = ["finetune.epochs=2", "finetune.batchSize=4"];

async function tensors(path: string): Promise<Map<string, Float32Array>> {
  const file = decodeSafetensors(await Deno.readFile(path), path);
  return new Map([...file.tensors].map(([k, t]) => [k, t.data as Float32Array]));
}

Deno.test("finetune: 8 labels, both fine-tunings and the probe scored, everything written, no tensor left", async () => {
  const before = tf.memory().numTensors;
  const lines: string[] = [];
  const out = `${runDir}/ft8`;
  const r = await finetune({
    run: runDir,
    labels: "8",
    overrides: quick,
    outDir: out,
    progress: false,
    log: (l) => lines.push(l),
  });
  assert.equal(tf.memory().numTensors, before, "tensors left behind by finetune()");
  assert.equal(r.stopped, false);
  assert.deepEqual(r.subset.perClass, { "0": 2, "1": 2, "2": 2, "3": 2 }); // fixture: mnist digits
  assert.equal(r.subset.labelled, 40);
  assert.equal(r.steps, 4); // 8 labels / batch 4 = 2 steps an epoch, 2 epochs
  assert.equal(r.testCount, 24);
  for (const a of [r.pretrained!, r.random!, r.probe!]) {
    assert.ok(a.top1 >= 0 && a.top1 <= 1 && a.top5 >= a.top1, JSON.stringify(a));
  }
  const e = JSON.parse(await Deno.readTextFile(runFiles(out).eval));
  assert.deepEqual(e.pretrained, r.pretrained);
  assert.deepEqual(e.random, r.random);
  // the subset is listed: indices, keys and labels of the original split
  const subset = JSON.parse(await Deno.readTextFile(`${out}/subset.json`));
  assert.equal(subset.samples.length, 8);
  for (const s of subset.samples) {
    assert.equal(s.key, `mnist/train[${s.index}]`);
    assert.equal(s.label, (s.index * 7) % 4, "the fixture's label of that index");
  }
  // metrics of every step; the pretrained fine-tuning and the floor each have a checkpoint
  for (const dir of [out, `${out}/random-init`]) {
    const ms = (await Deno.readTextFile(runFiles(dir).metrics)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(ms.map((m) => m.step), [1, 2, 3, 4]);
    assert.ok(ms.every((m) => m.loss > 0 && m.accuracy >= 0 && m.accuracy <= 1));
    assert.equal(ms[0].loss.toFixed(4), Math.log(10).toFixed(4), "zero-init head: ln(classes)");
  }
  const start = await tensors(runFiles(runDir).checkpoint);
  const tuned = await tensors(runFiles(out).checkpoint);
  assert.ok(tuned.get("model/classifier.weight")!.some((v) => v !== 0), "the head trained");
  const moved = (name: string) => tuned.get(name)!.some((v, i) => v !== start.get(name)![i]);
  assert.ok(moved("model/encoder.stem.conv.weight"), "the encoder is fine-tuned");
  for (const name of [...start.keys()].filter((n) => n.startsWith("model/head."))) {
    if (!name.includes("running") && !name.includes("batches")) assert.ok(!moved(name), name);
  }
  const html = await Deno.readTextFile(runFiles(out).report);
  assert.match(html, /<h2>Fine-tuning with 8 labels \(8\)<\/h2>/);
  assert.match(html, /linear probe on the same labels/);
  assert.match(html, /Cross-entropy loss/);
  assert.ok(lines.some((l) => l.startsWith("fine-tuned (random init): top-1")), lines.join("\n"));
  // an output directory that holds files is refused
  await assert.rejects(
    () => finetune({ run: runDir, labels: "8", outDir: out, progress: false, log: () => {} }),
    /already holds/,
  );
});

Deno.test("finetune: the labelled subset is the same for a seed and another for another", async () => {
  const subset = async (name: string, extra: string[]) => {
    await finetune({
      run: runDir,
      labels: "10%",
      overrides: [...quick, "finetune.randomInit=false", "finetune.epochs=1", ...extra],
      outDir: `${runDir}/${name}`,
      progress: false,
      log: () => {},
    });
    const s = JSON.parse(await Deno.readTextFile(`${runDir}/${name}/subset.json`));
    return s.samples.map((x: { index: number }) => x.index);
  };
  const a = await subset("seed3a", []);
  assert.equal(a.length, 4); // 10% of 40, one per class
  assert.deepEqual(await subset("seed3b", []), a);
  assert.notDeepEqual(await subset("seed4", ["run.seed=4"]), a);
});
