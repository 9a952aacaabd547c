/**
 * Atomic writes on a full disk: the kernel's own ENOSPC, from `/dev/full` behind the temporary
 * file's name (no root needed), and from a tiny tmpfs where mounting one is allowed.
 */
import assert from "node:assert/strict";
import { atomicTempPath } from "../../src/streams/_atomic_temp_path.ts";
import { FileWriteError, writeFileAtomic } from "../../src/streams/atomic_write.ts";
import { JsonlAppender, truncateJsonl } from "../../src/streams/jsonl_file.ts";
import { tinyTmpfs } from "./_tmpfs.ts";

Deno.test("writeFileAtomic: replaces the file whole; no temporary file is left", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a.json`;
  await writeFileAtomic(path, "old\n");
  await writeFileAtomic(path, new TextEncoder().encode("new\n"));
  assert.equal(await Deno.readTextFile(path), "new\n");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFileAtomic on a full disk: names the file and the fix, removes its temporary file, keeps the old one", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/eval.json`;
  await Deno.writeTextFile(path, "old\n");
  // the temporary file's name leads to /dev/full: every write fails with ENOSPC
  Deno.symlinkSync("/dev/full", atomicTempPath(path));
  await assert.rejects(writeFileAtomic(path, "x".repeat(10000), "evaluation results"), (e) => {
    assert.ok(e instanceof FileWriteError);
    assert.equal(e.code, "ENOSPC");
    assert.equal(e.path, path);
    assert.match(
      e.message,
      new RegExp(`^cannot write evaluation results ${path}: No space left on device`),
    );
    assert.match(e.message, new RegExp(`the disk \\(or quota\\) holding ${dir} is full`));
    return true;
  });
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["eval.json"]);
  assert.equal(await Deno.readTextFile(path), "old\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("JsonlAppender on a full disk names the file", async () => {
  const dir = await Deno.makeTempDir();
  Deno.symlinkSync("/dev/full", `${dir}/metrics.jsonl`);
  const out = new JsonlAppender(`${dir}/metrics.jsonl`, "metrics");
  await assert.rejects(
    out.write({ step: 1 }),
    new RegExp(`^FileWriteError: cannot write metrics ${dir}/metrics.jsonl: No space left`),
  );
  out.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFileAtomic on a real full file system (tmpfs): no partial file left", async (t) => {
  const fs = await tinyTmpfs(64 * 1024);
  if (typeof fs === "string") {
    t.step({ name: `skipped: ${fs}`, ignore: true, fn: () => {} });
    return;
  }
  try {
    const path = `${fs.dir}/checkpoint.safetensors`;
    await assert.rejects(
      writeFileAtomic(path, new Uint8Array(256 * 1024), "checkpoint"),
      new RegExp(`cannot write checkpoint ${path}: No space left on device.*is full`),
    );
    assert.deepEqual([...Deno.readDirSync(fs.dir)], []);
  } finally {
    await fs.unmount();
  }
});

Deno.test("truncateJsonl keeps the leading records that pass, drops the rest and a cut line", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/m.jsonl`;
  const rows = [1, 2, 3, 4, 5, 3, 4].map((step) => JSON.stringify({ step })).join("\n");
  await Deno.writeTextFile(path, rows + '\n{"step": 6, "lo');
  const keep = (r: { step: number }) => r.step <= 4;
  assert.deepEqual(await truncateJsonl(path, keep), { kept: 4, dropped: 4 });
  assert.equal(await Deno.readTextFile(path), [1, 2, 3, 4].map((s) => `{"step":${s}}\n`).join(""));
  assert.deepEqual(await truncateJsonl(path, keep), { kept: 4, dropped: 0 });
  assert.deepEqual(await truncateJsonl(`${dir}/none.jsonl`, keep), { kept: 0, dropped: 0 });
  await Deno.remove(dir, { recursive: true });
});
