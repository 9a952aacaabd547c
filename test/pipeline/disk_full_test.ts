/**
 * A run whose disk fills up (issue 17, item 15): the error names the file being written and
 * says the disk is full, and no partial temporary file is left. On a real tmpfs of 1 MiB where
 * mounting one is allowed (root), else skipped saying why (the kernel's ENOSPC through
 * /dev/full is tested without root in test/streams/atomic_write_test.ts).
 */
import assert from "node:assert/strict";
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { tinyTmpfs } from "../streams/_tmpfs.ts";
import { fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

Deno.test("pretrain on a full disk: the error names the checkpoint file; no .tmp is left", async (t) => {
  const fs = await tinyTmpfs(1024 * 1024);
  if (typeof fs === "string") {
    await t.step({ name: `skipped: ${fs}`, ignore: true, fn: () => {} });
    return;
  }
  const data = await writeFixtureDataset(96, 32);
  try {
    const runDir = `${fs.dir}/run`;
    await assert.rejects(
      pretrain(fixtureConfig(data, fs.dir, ["train.checkpointEvery=2 steps"]), {
        progress: false,
        log: () => {},
        evaluate: false,
        runDir,
      }),
      new RegExp(
        `cannot write checkpoint ${runDir}/checkpoint-step000002\\.safetensors: No space left ` +
          `on device.*: the disk \\(or quota\\) holding ${runDir} is full; free space there`,
      ),
    );
    const left = [...Deno.readDirSync(runDir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["config.yaml", "metrics.jsonl"]);
  } finally {
    await fs.unmount();
    await Deno.remove(data, { recursive: true });
  }
});
