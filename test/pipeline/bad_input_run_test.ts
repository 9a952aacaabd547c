/**
 * Whole runs on bad input (issue 17, items 13 and 14): under `data.onError: skip` a truncated
 * image skips in evaluation too (pretrain and `deno task eval`), every skipped sample is listed
 * in skipped.jsonl and the last epoch's tally is printed; a tar-shard run says before training
 * that it cannot be evaluated, and trains with `eval.enabled: false` or its own `eval.dataset`.
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import type { SkippedRecord } from "../../src/pipeline/_skipped_file.ts";
import { encodePng } from "../data/fixtures/png.ts";
import { makeTar } from "../data/fixtures/tar.ts";
import { fixtureConfig, fixtureImage, SIDE, writeFixtureDataset } from "./_fixture.ts";

const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
const idx = await writeFixtureDataset(48, 16);
globalThis.addEventListener("unload", () => {
  for (const dir of [out, idx]) Deno.removeSync(dir, { recursive: true });
});

const png = (i: number, label: number) =>
  encodePng({ width: SIDE, height: SIDE, colorType: 0, samples: fixtureImage(i, label) });

/**
 * train/ (4 classes x 9, one image cut short) and test/ (4 x 3, one cut short). 36 files make 4
 * batches of 8 pairs an epoch; the 35 good ones still fill them (a bad file takes its place from
 * the epoch's unused tail).
 */
async function folderWithBadFiles(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "simclr-folder-" });
  for (const [split, per] of [["train", 9], ["test", 3]] as const) {
    for (const label of [0, 1, 2, 3]) {
      const dir = `${root}/${split}/c${label}`;
      await Deno.mkdir(dir, { recursive: true });
      for (let i = 0; i < per; i++) {
        const bytes = await png(1000 * label + i + (split === "test" ? 500 : 0), label);
        const bad = label === 1 && i === 0;
        await Deno.writeFile(`${dir}/${i}.png`, bad ? bytes.slice(0, bytes.length - 40) : bytes);
      }
    }
  }
  return root;
}

async function skippedRecords(runDir: string): Promise<SkippedRecord[]> {
  const text = await Deno.readTextFile(runFiles(runDir).skipped);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("onError skip: evaluation skips too; every skipped sample is listed, the last epoch's tally printed", async () => {
  const root = await folderWithBadFiles();
  const runDir = `${out}/skip`;
  const lines: string[] = [];
  const result = await pretrain(
    fixtureConfig(root, out, [
      "data.dataset=imagefolder",
      `data.path=${root}`,
      "data.onError=skip",
      "optim.batchSize=8",
      "eval.linearProbe.enabled=false",
    ]),
    { progress: false, log: (l) => void lines.push(l), runDir },
  );
  const log = lines.join("\n");
  assert.equal(result.steps, 8); // 36 files, 35 good: 4 steps of 8 pairs an epoch, 2 epochs
  for (const epoch of [1, 2]) {
    assert.match(
      log,
      new RegExp(`epoch ${epoch}: skipped 1 bad sample, e\\.g\\. .*train/c1/0\\.png`),
    );
  }
  assert.match(log, /skipped 2 bad samples in training .*each is listed in .*skipped\.jsonl/);
  assert.match(log, /eval: left out 2 bad samples/);
  const e = JSON.parse(await Deno.readTextFile(runFiles(runDir).eval));
  assert.equal(e.skipped, 2);
  assert.equal(e.pretrained.trainCount, 35);
  assert.equal(e.pretrained.testCount, 11);
  assert.equal(e.random.testCount, 11);
  await Deno.stat(runFiles(runDir).report);
  const records = await skippedRecords(runDir);
  assert.deepEqual(
    records.map((r) => [r.phase, r.epoch, r.problem.slice(root.length + 1, root.length + 16)]),
    [
      ["train", 0, "train/c1/0.png:"],
      ["train", 1, "train/c1/0.png:"],
      ["eval:train", undefined, "train/c1/0.png:"],
      ["eval:test", undefined, "test/c1/0.png: "],
    ],
  );

  // `deno task eval` on the run: the same skips, listed no second time
  const cli = new URL("../../src/cli/eval.ts", import.meta.url).pathname;
  const ev = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--run", runDir],
    env: { NO_COLOR: "1" },
  }).output();
  const said = new TextDecoder().decode(ev.stderr);
  assert.equal(ev.code, 0, said);
  assert.match(said, /eval: left out 2 bad samples/);
  assert.equal((await skippedRecords(runDir)).length, 4);
  await Deno.remove(root, { recursive: true });
});

/** Two tar shards of 16 labelled PNGs each (webdataset layout: `key.png` + `key.cls`). */
async function shards(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "simclr-shards-" });
  for (const s of [0, 1]) {
    const entries = [];
    for (let i = 0; i < 16; i++) {
      const key = `${s}${String(i).padStart(3, "0")}`;
      entries.push({ name: `${key}.png`, data: await png(100 * s + i, i % 4) });
      entries.push({ name: `${key}.cls`, data: String(i % 4) });
    }
    await Deno.writeFile(`${dir}/part-${s}.tar`, makeTar(entries));
  }
  return dir;
}

Deno.test("tar shards: a run that would evaluate is refused before training; eval.enabled false or eval.dataset make it work", async () => {
  const dir = await shards();
  const tar = ["data.dataset=tar", `data.path=${dir}/part-{0..1}.tar`, "data.maxSamples=32"];
  const lines: string[] = [];
  const quiet = { progress: false, log: (l: string) => void lines.push(l) };
  const outDir = await Deno.makeTempDir({ dir: out });
  await assert.rejects(
    pretrain(fixtureConfig(idx, outDir, tar), quiet),
    /evaluation needs a random-access labelled dataset, and tar shards are streamed: name one with eval\.dataset and eval\.path .* or turn evaluation off with eval\.enabled: false .*\(checked before training\)/,
  );
  assert.deepEqual(lines, [], "nothing started");
  assert.deepEqual([...Deno.readDirSync(outDir)], [], "no run directory left");

  // evaluation off: trains, writes the report (training only), no eval.json
  const off = await pretrain(fixtureConfig(idx, outDir, [...tar, "eval.enabled=false"]), quiet);
  assert.equal(off.steps, 4);
  assert.equal(off.evaluation, undefined);
  await Deno.stat(runFiles(off.runDir).report);
  await assert.rejects(Deno.stat(runFiles(off.runDir).eval), Deno.errors.NotFound);
  assert.match(lines.join("\n"), /evaluation off \(eval\.enabled: false\)/);

  // its own evaluation dataset: the IDX fixture's train and test splits
  const own = await pretrain(
    fixtureConfig(idx, outDir, [
      ...tar,
      "eval.dataset=mnist",
      `eval.path=${idx}`,
      "eval.linearProbe.enabled=false",
    ]),
    quiet,
  );
  const e = JSON.parse(await Deno.readTextFile(runFiles(own.runDir).eval));
  assert.equal(e.dataset, "mnist");
  assert.equal(e.pretrained.trainCount, 48);
  assert.equal(e.pretrained.testCount, 16);
  await Deno.remove(dir, { recursive: true });
});
