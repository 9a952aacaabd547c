import assert from "node:assert/strict";
import { DataError } from "../../src/data/errors.ts";
import { imageFolder } from "../../src/data/image_folder.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [rel, content] of Object.entries(files)) {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, content);
  }
  return root;
}

Deno.test("imageFolder: recursive, sorted classes from the first level, deterministic order", async () => {
  const root = await tree({
    "zebra/b.png": "1",
    "zebra/a.JPG": "2",
    "ant/deep/er/x.tiff": "3",
    "ant/y.gif": "4",
    "ant/notes.txt": "no",
    "Bee/c.jpeg": "5",
    "empty-class/readme.md": "no",
    "top.tif": "6",
    "noext": "no",
  });
  const ds = await imageFolder(root);
  // Code point order: uppercase first.
  assert.deepEqual(ds.classes, ["Bee", "ant", "zebra"]);
  assert.deepEqual(ds.files.map((f) => f.slice(root.length + 1)), [
    "Bee/c.jpeg",
    "ant/deep/er/x.tiff",
    "ant/y.gif",
    "top.tif",
    "zebra/a.JPG",
    "zebra/b.png",
  ]);
  assert.deepEqual(ds.labels, [0, 1, 1, undefined, 2, 2]);
  const s = await ds.get(4);
  assert.equal(s.key, `${root}/zebra/a.JPG`);
  assert.equal(new TextDecoder().decode(s.bytes), "2");
  assert.equal(s.label, 2);
  assert.equal((await ds.get(3)).label, undefined);
  await Deno.remove(root, { recursive: true });
});

Deno.test("imageFolder names the path when the root is missing, empty, or has no images", async () => {
  const root = await Deno.makeTempDir();
  const check = async (path: string, re: RegExp) =>
    await assert.rejects(imageFolder(path), (e: Error) => {
      assert.ok(e instanceof DataError);
      assert.ok(e.message.startsWith(path), e.message);
      assert.match(e.message, re);
      return true;
    });
  await check(`${root}/nope`, /no such folder/);
  await check(root, /the folder is empty/);
  await Deno.mkdir(`${root}/cats`);
  await Deno.writeTextFile(`${root}/cats/list.csv`, "a,b");
  await check(root, /no image files \(png, jpg, jpeg, gif, tif, tiff\) in the folder/);
  await check(`${root}/cats/list.csv`, /is not a folder/);
  await Deno.remove(root, { recursive: true });
});
