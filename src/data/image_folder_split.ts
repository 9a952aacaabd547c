/**
 * The split of an image folder a pipeline names (`data.split`, `eval.trainSplit`,
 * `eval.testSplit`). Two layouts, told apart by the first-level folder names:
 *
 * - split folders: `<root>/<split>/<class>/...` (e.g. `train/`, `test/`, `val/`). The split is
 *   that folder; a split with no folder is an error naming the ones there are.
 * - one class tree: `<root>/<class>/...`, with no first-level folder named like a split
 *   ({@link SPLIT_FOLDER_NAMES}). Then `train` is every file but each class's every 5th (by path
 *   order within the class), and `test` is each class's every 5th; other split names are errors.
 *
 * So a run never pretrains on its test images, and never scores split names as classes.
 */
import { DataError } from "./errors.ts";
import { folderDataset } from "./_folder_dataset.ts";
import { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from "./image_folder.ts";

/**
 * First-level folder names that mark a folder as split (compared case-insensitively).
 */
const SPLIT_FOLDER_NAMES: readonly string[] = [
  "train",
  "test",
  "val",
  "valid",
  "validation",
  "dev",
];

/** In a single class tree, a class's `HOLDOUT_EVERY`-th files (positions 4, 9, ...) are `test`. */
const HOLDOUT_EVERY = 5;

/**
 * An image-folder split, with what it is in words (for logs, `eval.json` and the report).
 *
 * @example What the split is, in words
 * ```ts
 * import type { ImageFolderSplit } from "@simclr/streams/data";
 * import { imageFolderSplit } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/cat`);
 * for (let i = 0; i < 10; i++) await Deno.writeFile(`${root}/cat/${i}.png`, new Uint8Array(8));
 * const ds: ImageFolderSplit = await imageFolderSplit(root, "test");
 * assert.equal(ds.split, "test (every 5th file of each class)");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface ImageFolderSplit extends ImageFolderDataset {
  /** `test`, or e.g. `train (all but every 5th file of each class)` for a single class tree. */
  readonly split: string;
}

async function subfolders(root: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      let dir = e.isDirectory;
      if (e.isSymlink) {
        try {
          dir = (await Deno.stat(`${root}/${e.name}`)).isDirectory;
        } catch {
          dir = false;
        }
      }
      if (dir) out.push(e.name);
    }
  } catch {
    return []; // imageFolder below names the problem with the root
  }
  return out.sort();
}

/**
 * Opens split `split` of the image folder at `root` (see the module doc for the two layouts).
 * `options.classes` indexes labels by another split's classes, so two splits agree.
 *
 * @throws {DataError} For a split that the folder does not have, or an empty split.
 *
 * @example A single class tree: every 5th file of a class is held out for `test`
 * ```ts
 * import { imageFolderSplit } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/cat`);
 * for (let i = 0; i < 10; i++) await Deno.writeFile(`${root}/cat/${i}.png`, new Uint8Array(8));
 * const train = await imageFolderSplit(root, "train");
 * const test = await imageFolderSplit(root, "test", { classes: train.classes });
 * const names = (files: readonly string[]) => files.map((f) => f.slice(`${root}/cat/`.length));
 * assert.deepEqual(names(test.files), ["4.png", "9.png"]);
 * assert.equal(train.length, 8);
 * assert.ok(!train.files.some((f) => test.files.includes(f)));
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @example Split folders: the split is the folder of that name
 * ```ts
 * import { imageFolderSplit } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * for (const split of ["train", "val"]) {
 *   await Deno.mkdir(`${root}/${split}/dog`, { recursive: true });
 *   await Deno.writeFile(`${root}/${split}/dog/1.png`, new Uint8Array(8));
 * }
 * const val = await imageFolderSplit(root, "val");
 * assert.deepEqual([val.split, val.files], ["val", [`${root}/val/dog/1.png`]]);
 * await assert.rejects(imageFolderSplit(root, "test"), /no 'test' folder/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function imageFolderSplit(
  root: string,
  split: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderSplit> {
  const base = root.replace(/\/+$/, "") || "/";
  const folders = await subfolders(base);
  const splitFolders = folders.filter((f) => SPLIT_FOLDER_NAMES.includes(f.toLowerCase()));
  if (folders.includes(split)) {
    const ds = await imageFolder(`${base}/${split}`, options);
    return { ...ds, split };
  }
  if (splitFolders.length > 0) {
    throw new DataError(
      base,
      `has split folders (${splitFolders.join(", ")}) but no '${split}' folder`,
      `set data.split, eval.trainSplit and eval.testSplit to split folders that exist ` +
        `(e.g. --set eval.testSplit=${splitFolders.find((f) => f !== "train") ?? splitFolders[0]})`,
    );
  }
  if (split !== "train" && split !== "test") {
    throw new DataError(
      base,
      `has no split folders, so its splits are 'train' (all but every ${HOLDOUT_EVERY}th file ` +
        `of each class) and 'test' (every ${HOLDOUT_EVERY}th), not '${split}'`,
      `use train/test, or put the images in ${base}/${split}/<class>/ (and the others in ` +
        `${base}/train/<class>/)`,
    );
  }
  const all = await imageFolder(base, options);
  const seen = new Map<number | undefined, number>();
  const keep: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const position = seen.get(all.labels[i]) ?? 0;
    seen.set(all.labels[i], position + 1);
    const heldOut = position % HOLDOUT_EVERY === HOLDOUT_EVERY - 1;
    if (heldOut === (split === "test")) keep.push(i);
  }
  const what = split === "test"
    ? `test (every ${HOLDOUT_EVERY}th file of each class)`
    : `train (all but every ${HOLDOUT_EVERY}th file of each class)`;
  if (keep.length === 0) {
    throw new DataError(
      base,
      `its '${what}' split is empty (${all.length} files)`,
      `put at least ${HOLDOUT_EVERY} images in a class folder, or use split folders`,
    );
  }
  const ds = folderDataset(
    `${base} (${what})`,
    all.classes,
    keep.map((i) => all.files[i]),
    keep.map((i) => all.labels[i]),
    options.maxFileBytes,
  );
  return { ...ds, split: what };
}
