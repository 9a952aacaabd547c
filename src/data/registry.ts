/**
 * Named datasets: where to find them (explicit path, cache, system folder, download) and
 * how to open them.
 */
import { DATASETS } from "./_dataset_table.ts";
import { getSpec, locateDataset } from "./_locate.ts";
import { DataError } from "./errors.ts";
import { imageFolder } from "./image_folder.ts";
import { imageFolderSplit } from "./image_folder_split.ts";
import type { IndexedDataset } from "./indexed.ts";
import type { ProgressFn } from "./progress.ts";
import { expandShards } from "./shards.ts";

/**
 * A file a dataset can download.
 *
 * @example A dataset downloaded (here from a local server) into the cache, checksum verified
 * ```ts
 * import type { DatasetFile } from "@simclr/streams/data";
 * import { openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const body = new TextEncoder().encode("3");
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response(body));
 * const url = `http://localhost:${server.addr.port}/count.txt`;
 * const file: DatasetFile = {
 *   name: "count.txt",
 *   url,
 *   sha256: "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce", // of "3"
 * };
 * registerDataset({
 *   name: "counted", description: "n 1x1 images", required: ["count.txt"], downloads: [file],
 *   open: async (dir) => {
 *     const n = Number(await Deno.readTextFile(`${dir}/count.txt`));
 *     return {
 *       name: dir, length: n,
 *       get: (i) => Promise.resolve({ key: `count[${i}]`, width: 1, height: 1, channels: 1 as const, data: Uint8Array.of(i) }),
 *     };
 *   },
 * });
 * const cacheDir = await Deno.makeTempDir();
 * const opened = await openDataset("counted", { cacheDir, onProgress: () => () => {} });
 * assert.ok(opened.kind === "indexed");
 * assert.deepEqual([opened.dataset.length, opened.located?.source], [3, "download"]);
 * assert.equal(await Deno.readTextFile(`${cacheDir}/counted/count.txt`), "3");
 * await server.shutdown();
 * await Deno.remove(cacheDir, { recursive: true });
 * ```
 */
export interface DatasetFile {
  /** File name in the dataset folder. */
  name: string;
  /** Where to download it from (http or https). */
  url: string;
  /** Expected MD5 (hex) of the download. */
  md5?: string;
  /** Expected SHA-256 (hex) of the download. */
  sha256?: string;
  /** A `.tar.gz` to unpack into the dataset folder after download. */
  unpack?: boolean;
}

/**
 * Which part of a dataset.
 *
 * @example A registered dataset opens the split it is asked for
 * ```ts
 * import type { Split } from "@simclr/streams/data";
 * import { openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const asked: Split[] = [];
 * registerDataset({
 *   name: "split-demo", description: "one sample per split", required: [],
 *   open: (dir, split) => {
 *     asked.push(split);
 *     return Promise.resolve({ name: `${dir} ${split}`, length: 1, get: () => Promise.reject(new Error("unused")) });
 *   },
 * });
 * const path = await Deno.makeTempDir();
 * await openDataset("split-demo", { path, split: "test" });
 * await openDataset("split-demo", { path }); // train by default
 * assert.deepEqual(asked, ["test", "train"]);
 * await assert.rejects(openDataset("split-demo", { path, split: "val" }), /has the splits train and test/);
 * await Deno.remove(path);
 * ```
 */
export type Split = "train" | "test";

/**
 * A dataset the registry knows.
 *
 * @example An IDX dataset of one's own, found in a system folder
 * ```ts
 * import type { DatasetSpec } from "@simclr/streams/data";
 * import { idxDataset, isEncoded, openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const system = await Deno.makeTempDir();
 * // One 1x2 image: IDX magic 00 00 08 03, sizes 1, 1, 2 (big-endian uint32), the pixels.
 * await Deno.writeFile(`${system}/a.idx`, Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 40, 50));
 * const spec: DatasetSpec = {
 *   name: "my-idx",
 *   description: "my data",
 *   required: ["a.idx"],
 *   systemDirs: [system],
 *   open: (dir, _split, options) => idxDataset({ images: `${dir}/a.idx`, maxFileBytes: options?.maxFileBytes }),
 * };
 * registerDataset(spec);
 * const cacheDir = await Deno.makeTempDir(); // empty: the system folder is next
 * const opened = await openDataset("my-idx", { cacheDir, download: false });
 * assert.ok(opened.kind === "indexed");
 * assert.equal(opened.located?.source, "system");
 * const sample = await opened.dataset.get(0);
 * assert.ok(!isEncoded(sample)); // IDX records are pixels
 * assert.deepEqual([...sample.data], [40, 50]);
 * opened.dataset.close?.();
 * await Deno.remove(system, { recursive: true });
 * await Deno.remove(cacheDir);
 * ```
 */
export interface DatasetSpec {
  /** The name `openDataset` takes. */
  name: string;
  /** One line for `--help` and `listDatasets`. */
  description: string;
  /** Files (relative paths) that must exist in a folder for it to hold the dataset. */
  required: readonly string[];
  /** Sub-folders of a candidate folder to try too (e.g. an unpacked archive's folder). */
  subfolders?: readonly string[];
  /** System folders to look in (after the cache). */
  systemDirs?: readonly string[];
  /** What to download, when the dataset can be downloaded. */
  downloads?: readonly DatasetFile[];
  /** A command that installs the dataset system-wide, for error messages. */
  install?: string;
  /** Opens the dataset found in `dir`; `maxFileBytes` limits a file held whole in memory. */
  open(dir: string, split: Split, options?: { maxFileBytes?: number }): Promise<IndexedDataset>;
}

/**
 * Adds (or replaces) a dataset in the registry.
 *
 * @example A dataset opened from an explicit folder
 * ```ts
 * import { listDatasets, openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * registerDataset({
 *   name: "counted", description: "n 1x1 images", required: ["count.txt"],
 *   open: async (dir) => {
 *     const n = Number(await Deno.readTextFile(`${dir}/count.txt`));
 *     return {
 *       name: dir, length: n,
 *       get: (i) => Promise.resolve({ key: `count[${i}]`, width: 1, height: 1, channels: 1 as const, data: Uint8Array.of(i) }),
 *     };
 *   },
 * });
 * assert.ok(listDatasets().some((d) => d.name === "counted"));
 * const path = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${path}/count.txt`, "5");
 * const opened = await openDataset("counted", { path });
 * assert.ok(opened.kind === "indexed" && opened.dataset.length === 5);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export function registerDataset(spec: DatasetSpec): void {
  DATASETS.set(spec.name, spec);
}

/**
 * Where {@link openDataset} looks for a named dataset, and whether it may download it.
 *
 * @example An explicit path that lacks the files is an error naming them, never a fall-back
 * ```ts
 * import type { LocateOptions } from "@simclr/streams/data";
 * import { DataError, openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempDir();
 * const options: LocateOptions = { path, download: false };
 * await assert.rejects(
 *   openDataset("mnist", options),
 *   (e) => e instanceof DataError && e.problem.includes("missing train-images-idx3-ubyte.gz"),
 * );
 * await Deno.remove(path);
 * ```
 */
export interface LocateOptions {
  /** An explicit folder: the only place looked at when given (never downloaded into). */
  path?: string;
  /**
   * Cache folder (default `$SIMCLR_CACHE`, else `~/.cache/simclr-streams/datasets`); the
   * dataset lives in `<cache>/<name>`.
   */
  cacheDir?: string;
  /** System folders (default: the dataset's). */
  systemDirs?: readonly string[];
  /** Download when not found (default true). */
  download?: boolean;
  /** Download progress (default: a bar on stderr). */
  onProgress?: (file: string) => ProgressFn;
}

/**
 * Where a dataset was found.
 *
 * @example Found in the cache
 * ```ts
 * import type { Located } from "@simclr/streams/data";
 * import { openDataset, registerDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * registerDataset({
 *   name: "cached-demo", description: "an empty-file dataset", required: ["a.bin"],
 *   open: (dir) => Promise.resolve({ name: dir, length: 0, get: () => Promise.reject(new Error("empty")) }),
 * });
 * const cacheDir = await Deno.makeTempDir();
 * await Deno.mkdir(`${cacheDir}/cached-demo`);
 * await Deno.writeFile(`${cacheDir}/cached-demo/a.bin`, new Uint8Array(1));
 * const opened = await openDataset("cached-demo", { cacheDir, download: false });
 * const located: Located | undefined = opened.kind === "indexed" ? opened.located : undefined;
 * assert.deepEqual(located, { dir: `${cacheDir}/cached-demo`, source: "cache" });
 * await Deno.remove(cacheDir, { recursive: true });
 * ```
 */
export interface Located {
  /** The folder that holds the dataset's files. */
  dir: string;
  /** How it was found: the explicit path, the cache, a system folder, or a download. */
  source: "path" | "cache" | "system" | "download";
}

/**
 * Options of {@link openDataset}.
 *
 * @example An image folder's test split, indexed by the train split's classes
 * ```ts
 * import type { OpenOptions } from "@simclr/streams/data";
 * import { openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempDir();
 * for (const file of ["train/a/1.png", "train/b/1.png", "test/b/2.png"]) {
 *   await Deno.mkdir(`${path}/${file.slice(0, file.lastIndexOf("/"))}`, { recursive: true });
 *   await Deno.writeFile(`${path}/${file}`, new Uint8Array(8));
 * }
 * const options: OpenOptions = { path, split: "test", classes: ["a", "b"], maxFileBytes: 1024 };
 * const test = await openDataset("imagefolder", options);
 * assert.ok(test.kind === "indexed");
 * assert.equal((await test.dataset.get(0)).label, 1); // "b" in the train split's class list
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export interface OpenOptions extends LocateOptions {
  /**
   * Named datasets: `train` (default) or `test`. `imagefolder`: a split folder under the root
   * (`train`, `val`, ...), or for a root without split folders `train`/`test` held out by class
   * (see {@link imageFolderSplit}); absent: the whole folder.
   */
  split?: string;
  /** `imagefolder`: index labels by this class list (e.g. the train split's). */
  classes?: readonly string[];
  /**
   * Largest file held whole in memory: an inflated IDX file, a tar member, an image-folder
   * file (default 1 GiB, `DEFAULT_MAX_FILE_BYTES`; the pipeline's `data.maxFileBytes`).
   */
  maxFileBytes?: number;
}

/**
 * What {@link openDataset} gives: a random-access dataset, or a list of tar shards.
 *
 * @example Tar shards are listed, not opened
 * ```ts
 * import type { OpenedDataset } from "@simclr/streams/data";
 * import { openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const o: OpenedDataset = await openDataset("tar", { path: "shards-{0..9}.tar extra.tar" });
 * assert.ok(o.kind === "shards");
 * assert.deepEqual([o.shards.length, o.shards[0], o.shards[10]], [11, "shards-0.tar", "extra.tar"]);
 * ```
 */
export type OpenedDataset =
  | { kind: "indexed"; dataset: IndexedDataset; located?: Located }
  | { kind: "shards"; shards: string[]; maxFileBytes?: number };

/**
 * Opens a dataset by name: `fashion-mnist`, `mnist`, `cifar10`, `cifar100` (located as in
 * `locateDataset`: the explicit `path` only when given, else the cache, the system folders,
 * then a download), `imagefolder` (`path` = the root folder) or `tar` (`path` = shard
 * paths/URLs, brace patterns allowed, several separated by spaces).
 *
 * @throws {DataError} For an unknown name, a dataset not found (listing every place looked in
 * and the commands that fix it), a missing `path`, or a split the dataset lacks.
 *
 * @example An image folder
 * ```ts
 * import { openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempDir();
 * await Deno.mkdir(`${path}/cat`);
 * await Deno.writeFile(`${path}/cat/1.png`, new Uint8Array(8));
 * const opened = await openDataset("imagefolder", { path });
 * assert.ok(opened.kind === "indexed");
 * assert.deepEqual([opened.dataset.length, opened.dataset.classes], [1, ["cat"]]);
 * await Deno.remove(path, { recursive: true });
 * ```
 *
 * @example A dataset that is nowhere, with downloads turned off
 * ```ts
 * import { DataError, openDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const cacheDir = await Deno.makeTempDir();
 * await assert.rejects(
 *   openDataset("cifar10", { cacheDir, systemDirs: [], download: false }),
 *   (e) => e instanceof DataError && /not found/.test(e.problem) && /curl -fLo/.test(e.hint!),
 * );
 * await Deno.remove(cacheDir);
 * ```
 */
export async function openDataset(name: string, options: OpenOptions = {}): Promise<OpenedDataset> {
  if (name === "imagefolder") {
    if (!options.path) {
      throw new DataError("dataset 'imagefolder'", "needs the path of its root folder");
    }
    const folderOptions = { classes: options.classes, maxFileBytes: options.maxFileBytes };
    const dataset = options.split === undefined
      ? await imageFolder(options.path, folderOptions)
      : await imageFolderSplit(options.path, options.split, folderOptions);
    return { kind: "indexed", dataset };
  }
  if (name === "tar") {
    if (!options.path) {
      throw new DataError("dataset 'tar'", "needs shard paths or URLs (brace patterns allowed)");
    }
    return {
      kind: "shards",
      shards: options.path.split(/\s+/).filter(Boolean).flatMap(expandShards),
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
    };
  }
  const spec = getSpec(name);
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new DataError(
      `dataset '${name}'`,
      `has the splits train and test, not '${split}'`,
      "set data.split, eval.trainSplit and eval.testSplit to train or test",
    );
  }
  const located = await locateDataset(name, options);
  return {
    kind: "indexed",
    dataset: await spec.open(located.dir, split as Split, { maxFileBytes: options.maxFileBytes }),
    located,
  };
}

/**
 * Names and descriptions of the datasets the registry knows (for `--help`).
 *
 * @example The built-in names
 * ```ts
 * import { listDatasets } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const names = listDatasets().map((d) => d.name);
 * for (const n of ["fashion-mnist", "mnist", "cifar10", "cifar100", "imagefolder", "tar"]) assert.ok(names.includes(n));
 * ```
 */
export function listDatasets(): { name: string; description: string }[] {
  return [
    ...[...DATASETS.values()].map((s) => ({ name: s.name, description: s.description })),
    { name: "imagefolder", description: "a folder of images, classes from sub-folders" },
    { name: "tar", description: "WebDataset tar shards, local or http(s)" },
  ];
}
