import assert from "node:assert/strict";
import { DataError } from "../../src/data/errors.ts";
import { imageFolderSplit } from "../../src/data/image_folder_split.ts";
import { openDataset } from "../../src/data/registry.ts";

async function tree(files: string[]): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const rel of files) {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, rel);
  }
  return root;
}

const rel = (root: string, files: readonly string[]) => files.map((f) => f.slice(root.length + 1));

Deno.test("split folders: each split is its folder; the test split is labelled by the train split's classes", async () => {
  const root = await tree([
    "train/cat/1.png",
    "train/cat/2.png",
    "train/dog/3.png",
    "train/emu/4.png",
    "test/dog/5.png",
    "test/emu/6.png",
    "val/cat/7.png",
  ]);
  const train = await imageFolderSplit(root, "train");
  assert.equal(train.split, "train");
  assert.deepEqual(train.classes, ["cat", "dog", "emu"]);
  assert.deepEqual(rel(root, train.files), [
    "train/cat/1.png",
    "train/cat/2.png",
    "train/dog/3.png",
    "train/emu/4.png",
  ]);
  // On its own, test/ would call dog 0 and emu 1; indexed by train's classes they are 1 and 2.
  const alone = await imageFolderSplit(root, "test");
  assert.deepEqual([alone.classes, alone.labels], [["dog", "emu"], [0, 1]]);
  const test = await imageFolderSplit(root, "test", { classes: train.classes });
  assert.deepEqual(test.labels, [1, 2]);
  assert.equal((await test.get(1)).label, 2);
  assert.ok(!test.classes.includes("train") && !test.classes.includes("test"));
  // Through the registry, as the pipeline opens it.
  const opened = await openDataset("imagefolder", { path: root, split: "val" });
  assert.ok(opened.kind === "indexed");
  assert.deepEqual(rel(root, (opened.dataset as typeof train).files), ["val/cat/7.png"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("split folders: a missing split or a class the train split lacks is an error naming the fix", async () => {
  const root = await tree(["train/cat/1.png", "test/cat/2.png", "test/yak/3.png"]);
  await assert.rejects(imageFolderSplit(root, "val"), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /has split folders \(test, train\) but no 'val' folder/);
    assert.match(e.message, /--set eval.testSplit=test/);
    return true;
  });
  await assert.rejects(
    imageFolderSplit(root, "test", { classes: ["cat"] }),
    /class folder\(s\) yak are not among the classes it is indexed by \(cat\)/,
  );
  // A layout with train/ only: asking for test is an error, never a class called "train".
  const onlyTrain = await tree(["train/cat/1.png", "train/dog/2.png"]);
  await assert.rejects(
    imageFolderSplit(onlyTrain, "test"),
    /has split folders \(train\) but no 'test'/,
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(onlyTrain, { recursive: true });
});

Deno.test("one class tree: test is every 5th file of each class, train the rest; disjoint, covering, by class", async () => {
  const files: string[] = [];
  const counts = { ant: 12, bee: 5, cow: 3 };
  for (const [c, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) files.push(`${c}/${String(i).padStart(2, "0")}.png`);
  }
  const root = await tree(files);
  const train = await imageFolderSplit(root, "train");
  const test = await imageFolderSplit(root, "test");
  assert.equal(train.split, "train (all but every 5th file of each class)");
  assert.equal(test.split, "test (every 5th file of each class)");
  assert.deepEqual(rel(root, test.files), ["ant/04.png", "ant/09.png", "bee/04.png"]);
  assert.deepEqual(test.labels, [0, 0, 1]);
  assert.deepEqual(test.classes, ["ant", "bee", "cow"]);
  assert.equal(train.length, 20 - 3);
  const all = new Set([...train.files, ...test.files]);
  assert.equal(all.size, 20, "disjoint and covering");
  assert.deepEqual(train.labels.filter((l) => l === 2).length, 3, "cow (3 files) is all train");
  assert.equal((await test.get(2)).key, `${root}/bee/04.png`);
  await assert.rejects(
    imageFolderSplit(root, "val"),
    /has no split folders, so its splits are 'train' \(all but every 5th file of each class\) and 'test' \(every 5th\), not 'val'/,
  );
  const small = await tree(["a/1.png", "a/2.png", "b/3.png"]);
  await assert.rejects(
    imageFolderSplit(small, "test"),
    /its 'test \(every 5th file of each class\)' split is empty \(3 files\)/,
  );
  // Without a split the registry opens the whole folder, as before.
  const whole = await openDataset("imagefolder", { path: root });
  assert.equal(whole.kind === "indexed" && whole.dataset.length, 20);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(small, { recursive: true });
});
