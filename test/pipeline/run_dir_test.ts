/**
 * Run directories (issue 17, items 3 and 15): every run gets its own, even two started in the
 * same second with the same name; a directory holding a run is not taken by a new one; a start
 * that fails leaves no directory behind.
 */
import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { claimRunDir, createRunDir, resumeTarget, runFiles } from "../../src/pipeline/run_dir.ts";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

const quiet = { progress: false, log: () => {}, evaluate: false };
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("createRunDir: runs started in the same second get their own directories", async () => {
  const out = await Deno.makeTempDir();
  const now = new Date("2026-03-04T05:06:07.890Z");
  const dirs = await Promise.all([1, 2, 3].map(() => createRunDir(`${out}/runs/`, "x", now)));
  assert.deepEqual(dirs.toSorted(), [
    `${out}/runs/x-20260304-050607`,
    `${out}/runs/x-20260304-050607-2`,
    `${out}/runs/x-20260304-050607-3`,
  ]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("claimRunDir: creates, accepts an empty folder, refuses one that holds a run", async () => {
  const out = await Deno.makeTempDir();
  assert.equal(await claimRunDir(`${out}/a/b`), true);
  assert.equal(await claimRunDir(`${out}/a/b`), false); // exists, empty
  await Deno.writeTextFile(runFiles(`${out}/a/b`).config, "run: {}\n");
  await assert.rejects(
    claimRunDir(`${out}/a/b`),
    new RegExp(`${out}/a/b already holds a run \\(config.yaml\\): continue it with --resume`),
  );
  assert.deepEqual(await resumeTarget(`${out}/a/b/`), {
    runDir: `${out}/a/b`,
    checkpoint: `${out}/a/b/checkpoint.safetensors`,
  });
  await Deno.writeTextFile(`${out}/a/b/checkpoint-step000004.safetensors`, "");
  assert.deepEqual(await resumeTarget(`${out}/a/b/checkpoint-step000004.safetensors`), {
    runDir: `${out}/a/b`,
    checkpoint: `${out}/a/b/checkpoint-step000004.safetensors`,
  });
  await assert.rejects(resumeTarget(`${out}/nope`), /cannot resume .*nope: no such run directory/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("two runs of the same name started at once: separate run directories, each whole", async () => {
  const data = await writeFixtureDataset(96, 32);
  const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
  await startBackend("wasm"); // started once: two concurrent starts of one backend fail
  const [a, b] = await Promise.all([
    pretrain(fixtureConfig(data, out, ["train.maxSteps=3"]), quiet),
    pretrain(fixtureConfig(data, out, ["train.maxSteps=4"]), quiet),
  ]);
  assert.notEqual(a.runDir, b.runDir);
  assert.deepEqual(names(out).length, 2);
  for (const [r, steps] of [[a, 3], [b, 4]] as const) {
    assert.match(r.runDir, /\/fixture-\d{8}-\d{6}(-2)?$/);
    const files = runFiles(r.runDir);
    assert.match(await Deno.readTextFile(files.config), new RegExp(`maxSteps: ${steps}\\n`));
    const rows = (await Deno.readTextFile(files.metrics)).trim().split("\n");
    assert.deepEqual(
      rows.map((l) => JSON.parse(l).step),
      Array.from({ length: steps }, (_, i) => i + 1),
    );
    assert.equal((await loadCheckpoint(files.checkpoint)).meta.train.step, steps);
  }
  await Deno.remove(out, { recursive: true });
  await Deno.remove(data, { recursive: true });
});

Deno.test("a start that fails leaves no run directory behind (default and given ones)", async () => {
  const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
  const wrong = fixtureConfig(`${out}/no-such-folder`, out, [
    "data.dataset=fashion-mnist",
    `data.path=${out}/no-such-folder`,
  ]);
  await assert.rejects(pretrain(wrong, quiet), /not found at the given path/);
  await assert.rejects(pretrain(wrong, { ...quiet, runDir: `${out}/mine` }), /not found/);
  assert.deepEqual(names(out), []);
  // a folder that existed before stays, still empty
  await Deno.mkdir(`${out}/kept`);
  await assert.rejects(pretrain(wrong, { ...quiet, runDir: `${out}/kept` }), /not found/);
  assert.deepEqual(names(out), ["kept"]);
  assert.deepEqual(names(`${out}/kept`), []);
  await Deno.remove(out, { recursive: true });
});
