/**
 * Resuming (issue 17, items 4, 11 and 12): a resume may change how a run executes but not what
 * it trains, and notes what it changed in config.yaml; checkpoints every N steps keep the last
 * K, and resuming from any of them gives the uninterrupted run bitwise, with metrics.jsonl cut
 * back to the checkpoint (no duplicate or out-of-order rows); a damaged latest checkpoint is
 * refused naming the earlier ones.
 */
import assert from "node:assert/strict";
import { loadPipeline } from "../../src/config/load.ts";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { numberedCheckpointPath } from "../../src/train/checkpoint_files.ts";
import { checkpointModel, fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

const data = await writeFixtureDataset(96, 32);
const out = await Deno.makeTempDir({ prefix: "simclr-runs-" });
const quiet = { progress: false, log: () => {}, evaluate: false };
const EVERY_2 = ["train.checkpointEvery=2 steps", "train.keepCheckpoints=3"];
globalThis.addEventListener("unload", () => {
  for (const dir of [data, out]) Deno.removeSync(dir, { recursive: true });
});

/** The rows of a metrics file: step and loss, in file order. */
async function rows(runDir: string): Promise<[number, number][]> {
  const text = await Deno.readTextFile(runFiles(runDir).metrics);
  return text.trim().split("\n").map((l) => JSON.parse(l)).map((m) => [m.step, m.loss]);
}

/** The uninterrupted run (12 steps) everything is compared with. */
const whole = (async () => {
  await pretrain(fixtureConfig(data, out), { ...quiet, runDir: `${out}/whole` });
  return { weights: await checkpointModel(`${out}/whole`), rows: await rows(`${out}/whole`) };
})();

async function assertSameAsWhole(runDir: string) {
  const w = await whole;
  const got = await checkpointModel(runDir);
  assert.equal(got.size, w.weights.size);
  for (const [name, v] of w.weights) assert.deepEqual(got.get(name), v, `${name} differs`);
  // one row per step, in order, the same losses
  assert.deepEqual(await rows(runDir), w.rows);
}

Deno.test("resume: a change to what is trained is refused, naming it; the run is untouched", async () => {
  const dir = `${out}/refused`;
  await pretrain(fixtureConfig(data, out, ["train.maxSteps=3"]), { ...quiet, runDir: dir });
  const files = runFiles(dir);
  const before = await Promise.all([files.config, files.checkpoint].map((f) => Deno.readFile(f)));
  for (
    const [set, said] of [
      [["optim.epochs=25"], /with optim\.epochs 2 -> 25: it changes what is trained/],
      [
        ["optim.baseLr=0.5", "model.head.out=4"],
        /model\.head\.out 8 -> 4, optim\.baseLr 0\.3 -> 0\.5/,
      ],
      [["data.shuffleBuffer=7"], /data\.shuffleBuffer 10000 -> 7/],
    ] as const
  ) {
    await assert.rejects(
      pretrain(fixtureConfig(data, out, ["train.maxSteps=3", ...set]), {
        ...quiet,
        runDir: dir,
        resume: true,
      }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^cannot resume ${dir} with `));
        assert.match(err.message, said);
        assert.match(err.message, /A resume may change only train\.backend, .*eval\.\*/);
        assert.match(
          err.message,
          new RegExp(`start a new run: deno task pretrain --config ${dir}/config\\.yaml --set`),
        );
        for (const arg of set) assert.ok(err.message.includes(`--set ${arg}`), arg);
        return true;
      },
    );
  }
  const after = await Promise.all([files.config, files.checkpoint].map((f) => Deno.readFile(f)));
  assert.deepEqual(after, before);
});

Deno.test("resume: allowed changes (stop point, prefetch, eval settings) apply and are noted in config.yaml", async () => {
  const dir = `${out}/allowed`;
  await pretrain(fixtureConfig(data, out, ["train.maxSteps=5"]), { ...quiet, runDir: dir });
  const lines: string[] = [];
  const r = await pretrain(fixtureConfig(data, out, ["data.prefetch=2", "eval.knn.k=3"]), {
    ...quiet,
    log: (l) => void lines.push(l),
    runDir: dir,
    resume: true,
  });
  assert.equal(r.steps, 12);
  const note =
    /resumed at step 5 on \d{4}-.*: data\.prefetch 1 -> 2, eval\.knn\.k 5 -> 3, train\.maxSteps 5 -> \(unset\)/;
  assert.match(lines.join("\n"), note);
  const text = await Deno.readTextFile(runFiles(dir).config);
  assert.match(text, new RegExp(`^# resolved config of ${dir}\\n# ${note.source}`));
  const saved = await loadPipeline(runFiles(dir).config);
  assert.deepEqual(saved, fixtureConfig(data, out, ["data.prefetch=2", "eval.knn.k=3"]));
  await assertSameAsWhole(dir);
});

Deno.test("checkpoints every 2 steps keep the last 3; resuming from an earlier one gives the uninterrupted run", async () => {
  const dir = `${out}/kept`;
  const files = runFiles(dir);
  await pretrain(fixtureConfig(data, out, EVERY_2), { ...quiet, runDir: dir });
  const kept = [8, 10, 12].map((s) => numberedCheckpointPath(files.checkpoint, s));
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes("step"));
  assert.deepEqual(names.sort(), kept.map((p) => p.slice(dir.length + 1)));
  await assertSameAsWhole(dir);

  // back to step 8: the run's rows after it and the later checkpoints go, then come back equal
  const lines: string[] = [];
  await pretrain(fixtureConfig(data, out, EVERY_2), {
    ...quiet,
    log: (l) => void lines.push(l),
    runDir: dir,
    resume: true,
    checkpoint: kept[0],
  });
  const log = lines.join("\n");
  assert.match(log, new RegExp(`resumed from ${kept[0]} at step 8`));
  assert.match(log, /removed 2 checkpoints after step 8/);
  assert.match(log, /metrics\.jsonl: dropped 4 lines written after step 8/);
  await assertSameAsWhole(dir);
});

Deno.test("a run killed after writing metrics past its checkpoint resumes with no duplicate rows", async () => {
  const dir = `${out}/killed`;
  const files = runFiles(dir);
  await pretrain(fixtureConfig(data, out, ["train.checkpointEvery=4 steps", "train.maxSteps=7"]), {
    ...quiet,
    runDir: dir,
  });
  // as a kill after step 7's metrics row but before its checkpoint leaves it: the checkpoint of
  // step 4 as the latest, rows for steps 1-7, the last one cut short
  await Deno.copyFile(numberedCheckpointPath(files.checkpoint, 4), files.checkpoint);
  const text = await Deno.readTextFile(files.metrics);
  await Deno.writeTextFile(files.metrics, text.slice(0, -20));
  await pretrain(fixtureConfig(data, out, ["train.checkpointEvery=4 steps"]), {
    ...quiet,
    runDir: dir,
    resume: true,
  });
  await assertSameAsWhole(dir);
});

Deno.test("a damaged latest checkpoint is refused, naming the earlier ones; resuming from one of them works", async () => {
  const dir = `${out}/damaged`;
  const files = runFiles(dir);
  await pretrain(fixtureConfig(data, out, [...EVERY_2, "train.maxSteps=6"]), {
    ...quiet,
    runDir: dir,
  });
  const bytes = await Deno.readFile(files.checkpoint);
  bytes[bytes.length - 100] ^= 0x40; // a bit flipped on disk
  await Deno.writeFile(files.checkpoint, bytes);
  const [four, two] = [4, 2].map((s) => numberedCheckpointPath(files.checkpoint, s));
  await assert.rejects(
    pretrain(fixtureConfig(data, out, EVERY_2), { ...quiet, runDir: dir, resume: true }),
    (err: Error) => {
      assert.match(err.message, /checkpoint .*checkpoint\.safetensors is corrupt \(checksum/);
      assert.match(
        err.message,
        new RegExp(
          `Earlier checkpoints of this run, newest first: ${four} \\(step 4\\), ${two} \\(step 2\\); resume from one with: deno task pretrain --resume ${four}`,
        ),
      );
      assert.doesNotMatch(err.message, /step000006/);
      return true;
    },
  );
  await pretrain(fixtureConfig(data, out, EVERY_2), {
    ...quiet,
    runDir: dir,
    resume: true,
    checkpoint: four,
  });
  await assertSameAsWhole(dir);
});
