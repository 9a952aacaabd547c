import assert from "node:assert/strict";
import {
  keptCheckpoints,
  numberedCheckpointPath,
  rewindCheckpoints,
  writeCheckpointFiles,
} from "../../src/train/checkpoint_files.ts";

const bytes = (step: number) => new TextEncoder().encode(`checkpoint of step ${step}`);
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("checkpoint files: the latest plus the last K numbered, the latest a link to the newest", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/checkpoint.safetensors`;
  assert.equal(numberedCheckpointPath(path, 8), `${dir}/checkpoint-step000008.safetensors`);
  for (const step of [2, 4, 6, 8]) await writeCheckpointFiles(path, bytes(step), step, 3);
  assert.deepEqual(names(dir), [
    "checkpoint-step000004.safetensors",
    "checkpoint-step000006.safetensors",
    "checkpoint-step000008.safetensors",
    "checkpoint.safetensors",
  ]);
  assert.deepEqual(await Deno.readFile(path), bytes(8));
  assert.deepEqual(await Deno.readFile(numberedCheckpointPath(path, 4)), bytes(4));
  assert.equal(
    (await Deno.stat(path)).ino,
    (await Deno.stat(numberedCheckpointPath(path, 8))).ino,
    "the latest is the newest numbered file, not a copy",
  );
  assert.deepEqual((await keptCheckpoints(path)).map((k) => k.step), [8, 6, 4]);

  // a new save never writes into the older files (the link is replaced, not written through)
  await writeCheckpointFiles(path, bytes(10), 10, 3);
  assert.deepEqual(await Deno.readFile(numberedCheckpointPath(path, 8)), bytes(8));
  assert.deepEqual(await Deno.readFile(path), bytes(10));

  // back to step 6: it becomes the latest, 8 and 10 go
  const later = await rewindCheckpoints(path, numberedCheckpointPath(path, 6), 6);
  assert.deepEqual(later.map((k) => k.step), [10, 8]);
  assert.deepEqual(await Deno.readFile(path), bytes(6));
  assert.deepEqual((await keptCheckpoints(path)).map((k) => k.step), [6]);

  // keep 1: the latest alone, overwritten; numbered ones from a larger keep are removed
  await writeCheckpointFiles(path, bytes(12), 12, 1);
  assert.deepEqual(names(dir), ["checkpoint.safetensors"]);
  assert.deepEqual(await Deno.readFile(path), bytes(12));
  await Deno.remove(dir, { recursive: true });
});
