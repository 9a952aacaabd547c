/** A folder tree of image files, classes from the first sub-folder level. */
import { DataError } from "./errors.ts";
import { IMAGE_EXTENSIONS } from "./_image_format.ts";
import type { IndexedDataset } from "./indexed.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./limits.ts";
import { folderDataset } from "./_folder_dataset.ts";
import type { EncodedSample } from "./sample.ts";

/**
 * Options of {@link imageFolder}.
 *
 * @example Only PNG files, labels indexed by a given class list
 * ```ts
 * import type { ImageFolderOptions } from "@simclr/streams/data";
 * import { imageFolder } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/rose`);
 * await Deno.writeFile(`${root}/rose/1.png`, new Uint8Array(8));
 * await Deno.writeFile(`${root}/rose/notes.txt`, new Uint8Array(8));
 * const options: ImageFolderOptions = { extensions: ["png"], classes: ["daisy", "rose"] };
 * const ds = await imageFolder(root, options);
 * assert.equal(ds.length, 1); // notes.txt is not an image
 * assert.equal((await ds.get(0)).label, 1); // "rose" is class 1 of the given list
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface ImageFolderOptions {
  /** Extensions to accept, lower case without dot (default png, jpg, jpeg, gif, tif, tiff). */
  extensions?: readonly string[];
  /**
   * Index labels by this class list instead of the folder's own (e.g. a test split indexed by
   * its train split's classes, so both agree); a class folder not in it is an error.
   */
  classes?: readonly string[];
  /** Larger files are refused, unread (default {@link DEFAULT_MAX_FILE_BYTES}). */
  maxFileBytes?: number;
}

/**
 * An image folder: an indexed dataset of encoded files, plus its file list.
 *
 * @example The file list and labels of a folder
 * ```ts
 * import type { ImageFolderDataset } from "@simclr/streams/data";
 * import { imageFolder } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * const png = await new Image(4, 4).fill(0x808080ff).encode();
 * for (const file of ["daisy/1.png", "daisy/2.png", "rose/1.png"]) {
 *   await Deno.mkdir(`${root}/${file.split("/")[0]}`, { recursive: true });
 *   await Deno.writeFile(`${root}/${file}`, png);
 * }
 * const ds: ImageFolderDataset = await imageFolder(root);
 * assert.deepEqual(ds.classes, ["daisy", "rose"]);
 * assert.deepEqual(ds.files.map((f) => f.slice(root.length + 1)), ["daisy/1.png", "daisy/2.png", "rose/1.png"]);
 * assert.deepEqual(ds.labels, [0, 0, 1]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface ImageFolderDataset extends IndexedDataset<EncodedSample> {
  /** Class names (the first-level sub-folders, sorted), indexed by label. */
  readonly classes: readonly string[];
  /** Paths of the images, in index order. */
  readonly files: readonly string[];
  /** Label of each file (undefined for files directly under the root). */
  readonly labels: readonly (number | undefined)[];
}

/**
 * Lists `root` recursively. Each first-level sub-folder holding images is a class; class
 * names are sorted (by code point) and indexed from 0, so indices are stable. Files are
 * ordered by path (code point order at each level), so the order is deterministic.
 * Files directly under `root` get no label. Extensions match case-insensitively.
 * Samples are the encoded files, keyed by path; decode them with `decodeSample`.
 *
 * @throws {DataError} For a missing or empty folder, a folder without images, or class folders
 * outside `options.classes`.
 *
 * @example A folder of PNG files in two class folders, decoded
 * ```ts
 * import { createDecoder, decodeSample, imageFolder } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * const png = await new Image(4, 4).fill(0x808080ff).encode();
 * for (const file of ["daisy/1.png", "daisy/2.png", "rose/1.png"]) {
 *   await Deno.mkdir(`${root}/${file.split("/")[0]}`, { recursive: true });
 *   await Deno.writeFile(`${root}/${file}`, png);
 * }
 * const ds = await imageFolder(root);
 * assert.equal(ds.length, 3);
 * const sample = await ds.get(2); // { key, bytes, label }
 * assert.deepEqual([sample.key, sample.label], [`${root}/rose/1.png`, 1]);
 * const image = await decodeSample(await createDecoder(), sample, 1);
 * assert.deepEqual([image.width, image.height, image.data[0]], [4, 4, 128]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function imageFolder(
  root: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderDataset> {
  const exts = new Set((options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase()));
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (error) {
    throw new DataError(
      root,
      error instanceof Deno.errors.NotFound
        ? "no such folder"
        : `cannot open: ${(error as Error).message}`,
      "check the dataset path",
    );
  }
  if (!info.isDirectory) {
    throw new DataError(root, "is not a folder", "give the folder holding the images");
  }
  const base = root.replace(/\/+$/, "") || "/";
  const found: { path: string; top: string | undefined }[] = [];
  let entries = 0;
  const walk = async (dir: string, top: string | undefined) => {
    const names: { name: string; dir: boolean }[] = [];
    for await (const e of Deno.readDir(dir)) {
      entries++;
      let isDir = e.isDirectory;
      let isFile = e.isFile;
      if (e.isSymlink) {
        try {
          const s = await Deno.stat(`${dir}/${e.name}`);
          isDir = s.isDirectory;
          isFile = s.isFile;
        } catch {
          continue; // dangling link
        }
      }
      if (isDir || isFile) names.push({ name: e.name, dir: isDir });
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, dir: isDir } of names) {
      const path = `${dir === "/" ? "" : dir}/${name}`;
      if (isDir) await walk(path, top ?? name);
      else if (
        exts.has(name.slice(name.lastIndexOf(".") + 1).toLowerCase()) && name.includes(".")
      ) {
        found.push({ path, top });
      }
    }
  };
  await walk(base, undefined);
  if (found.length === 0) {
    throw new DataError(
      root,
      entries === 0
        ? "the folder is empty"
        : `no image files (${[...exts].join(", ")}) in the folder or its sub-folders`,
      "put images in <root>/<class>/ sub-folders",
    );
  }
  const own = [...new Set(found.map((f) => f.top).filter((t): t is string => t !== undefined))]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classes = options.classes ? [...options.classes] : own;
  const index = new Map(classes.map((c, i) => [c, i]));
  const unknown = own.filter((c) => !index.has(c));
  if (unknown.length) {
    throw new DataError(
      root,
      `class folder(s) ${unknown.join(", ")} are not among the classes it is indexed by ` +
        `(${classes.join(", ")})`,
      "give every split the same class folders (the evaluation indexes the test split by the " +
        "train split's classes)",
    );
  }
  const files = found.map((f) => f.path);
  const labels = found.map((f) => (f.top === undefined ? undefined : index.get(f.top)));
  return folderDataset(root, classes, files, labels, maxFileBytes);
}
