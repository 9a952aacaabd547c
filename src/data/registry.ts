/**
 * Named datasets: where to find them (explicit path, cache, system folder, download) and
 * how to open them.
 */
import { CIFAR10_CLASSES, cifarDataset } from "./cifar.ts";
import { downloadFile } from "./_download.ts";
import { DataError } from "./errors.ts";
import { imageFolder } from "./image_folder.ts";
import { imageFolderSplit } from "./image_folder_split.ts";
import { idxDataset } from "./idx.ts";
import type { IndexedDataset } from "./indexed.ts";
import { progressBar } from "./_progress_bar.ts";
import type { ProgressFn } from "./progress.ts";
import { expandShards } from "./shards.ts";
import { tarMembers } from "./_tar.ts";

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
  url: string;
  md5?: string;
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
  name: string;
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

const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
const IDX_FILES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

function idxSpec(
  name: string,
  description: string,
  base: string,
  md5: string[],
  classes: string[],
  extra: Partial<DatasetSpec> = {},
): DatasetSpec {
  return {
    name,
    description,
    required: IDX_FILES,
    downloads: IDX_FILES.map((f, i) => ({ name: f, url: base + f, md5: md5[i] })),
    open: (dir, split, options) => {
      const p = split === "train" ? "train" : "t10k";
      return idxDataset({
        images: `${dir}/${p}-images-idx3-ubyte.gz`,
        labels: `${dir}/${p}-labels-idx1-ubyte.gz`,
        classes,
        name: `${name}/${split}`,
        maxFileBytes: options?.maxFileBytes,
      });
    },
    ...extra,
  };
}

const CIFAR10_DIR = "cifar-10-batches-bin";
const CIFAR100_DIR = "cifar-100-binary";

/**
 * The built-in datasets by name; add more with {@link registerDataset}.
 */
export const DATASETS: Map<string, DatasetSpec> = new Map<string, DatasetSpec>([
  [
    "fashion-mnist",
    idxSpec(
      "fashion-mnist",
      "Fashion-MNIST: 70k 28x28 gray clothing images, 10 classes (IDX)",
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      [
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "25c81989df183df01b3e8a0aad5dffbe",
        "bef4ecab320f06d8554ea6380940ec79",
        "bb300cfdad3c16e7a12a480ee83cd310",
      ],
      FASHION_CLASSES,
      {
        systemDirs: ["/usr/share/datasets/fashion-mnist"],
        install: "sudo apt-get install dataset-fashion-mnist",
      },
    ),
  ],
  [
    "mnist",
    idxSpec(
      "mnist",
      "MNIST: 70k 28x28 gray digits, 10 classes (IDX)",
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      [
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "d53e105ee54ea40749a09fcbcd1e9432",
        "9fb629c4189551a2d022fa330f9573f3",
        "ec29112dd5afa0611ce80d1b7f02629c",
      ],
      Array.from({ length: 10 }, (_, i) => String(i)),
      { systemDirs: ["/usr/share/datasets/mnist"] },
    ),
  ],
  ["cifar10", {
    name: "cifar10",
    description: "CIFAR-10: 60k 32x32 colour images, 10 classes (binary batches)",
    required: ["data_batch_1.bin", "data_batch_5.bin", "test_batch.bin"],
    subfolders: [CIFAR10_DIR],
    systemDirs: ["/usr/share/datasets/cifar10"],
    downloads: [{
      name: "cifar-10-binary.tar.gz",
      url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
      md5: "c32a1d4ab5d03f1284b67883e8d87530",
      unpack: true,
    }],
    open: (dir, split) =>
      cifarDataset({
        files: split === "train"
          ? [1, 2, 3, 4, 5].map((i) => `${dir}/data_batch_${i}.bin`)
          : [`${dir}/test_batch.bin`],
        variant: 10,
        classes: CIFAR10_CLASSES,
      }),
  }],
  ["cifar100", {
    name: "cifar100",
    description: "CIFAR-100: 60k 32x32 colour images, 100 classes (binary batches)",
    required: ["train.bin", "test.bin"],
    subfolders: [CIFAR100_DIR],
    systemDirs: ["/usr/share/datasets/cifar100"],
    downloads: [{
      name: "cifar-100-binary.tar.gz",
      url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
      md5: "03b5dce01913d631647c71ecec9e9cb8",
      unpack: true,
    }],
    open: async (dir, split) => {
      let classes: string[] | undefined;
      try {
        classes = (await Deno.readTextFile(`${dir}/fine_label_names.txt`)).split("\n").map((s) =>
          s.trim()
        )
          .filter(Boolean);
      } catch {
        classes = undefined;
      }
      return cifarDataset({ files: [`${dir}/${split}.bin`], variant: 100, classes });
    },
  }],
]);

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
 * The dataset cache: `$SIMCLR_CACHE`, else `~/.cache/simclr-streams/datasets`.
 */
export function defaultCacheDir(): string {
  const env = Deno.env.get("SIMCLR_CACHE");
  if (env) return env;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${home}/.cache/simclr-streams/datasets`;
}

/**
 * Options of {@link locateDataset}.
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
  dir: string;
  source: "path" | "cache" | "system" | "download";
}

/**
 * Finds a named dataset: the explicit `path` when one is given (and only there: a path that
 * does not hold the dataset is an error, never a fall-back to another copy), else
 * `<cache>/<name>`, then the system folders (e.g. `/usr/share/datasets/fashion-mnist`), then a
 * download into the cache (checksums verified, with progress). When nothing works the
 * DataError lists every place tried and the commands that fix it.
 */
export async function locateDataset(name: string, options: LocateOptions = {}): Promise<Located> {
  const spec = getSpec(name);
  const tried: string[] = [];
  const check = async (dir: string) => {
    for (const d of [dir, ...(spec.subfolders ?? []).map((s) => `${dir}/${s}`)]) {
      const missing = await missingFiles(d, spec.required);
      if (missing.length === 0) return d;
      if (d === dir) {
        tried.push(
          `${dir}: ${missing === NO_DIR ? "no such folder" : `missing ${missing.join(", ")}`}`,
        );
      }
    }
    return undefined;
  };
  if (options.path) {
    // An explicit path is what the run records (config.yaml, the report): never fall back from
    // it to another copy.
    const d = await check(options.path);
    if (d) return { dir: d, source: "path" };
    const system = options.systemDirs ?? spec.systemDirs ?? [];
    throw new DataError(
      `dataset '${spec.name}'`,
      `not found at the given path: ${tried.join("; ")}`,
      `Fix: point the path (data.path) at the folder that holds ${spec.required.join(", ")}, ` +
        `or leave it out to use the cache (${options.cacheDir ?? defaultCacheDir()}/` +
        `${spec.name})${system.length ? `, ${system.join(", ")}` : ""}` +
        `${spec.downloads?.length && options.download !== false ? " or a download" : ""}`,
    );
  }
  tried.push("explicit path: none given");
  const cache = `${options.cacheDir ?? defaultCacheDir()}/${spec.name}`;
  const inCache = await check(cache);
  if (inCache) return { dir: inCache, source: "cache" };
  for (const sys of options.systemDirs ?? spec.systemDirs ?? []) {
    const d = await check(sys);
    if (d) return { dir: d, source: "system" };
  }
  if (spec.downloads?.length && options.download !== false) {
    try {
      for (const f of spec.downloads) {
        const dest = `${cache}/${f.name}`;
        if ((await missingFiles(cache, [f.name])).length > 0) {
          await downloadFile(f.url, dest, {
            md5: f.md5,
            sha256: f.sha256,
            onProgress: (options.onProgress ?? progressBar)(f.name),
          });
        }
        if (f.unpack) await unpack(dest, cache);
      }
      const d = await check(cache);
      if (d) return { dir: d, source: "download" };
      tried.push(
        `download into ${cache}: the files arrived but ${
          spec.required.join(", ")
        } are not all there`,
      );
    } catch (error) {
      tried.push(`download: ${(error as Error).message}`);
    }
  } else if (spec.downloads?.length) {
    tried.push("download: turned off");
  }
  throw new DataError(
    `dataset '${spec.name}'`,
    `not found. Looked in:\n${tried.map((t) => `  - ${t}`).join("\n")}`,
    fixHint(spec, cache),
  );
}

function fixHint(spec: DatasetSpec, cache: string): string {
  const lines: string[] = [];
  if (spec.install) lines.push(`Install it: ${spec.install}`);
  if (spec.downloads?.length) {
    const get = spec.downloads.map((f) => `curl -fLo ${f.name} ${f.url}`).join(" && ");
    const unpack = spec.downloads.filter((f) => f.unpack).map((f) => ` && tar xzf ${f.name}`).join(
      "",
    );
    lines.push(`Or fetch it by hand: mkdir -p ${cache} && cd ${cache} && ${get}${unpack}`);
  }
  lines.push("Or pass the folder that holds it as the dataset path");
  return `Fix:\n  ${lines.join("\n  ")}`;
}

const NO_DIR = ["(no folder)"];

async function missingFiles(dir: string, files: readonly string[]): Promise<string[]> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) return NO_DIR;
  } catch {
    return NO_DIR;
  }
  const missing: string[] = [];
  for (const f of files) {
    try {
      await Deno.stat(`${dir}/${f}`);
    } catch {
      missing.push(f);
    }
  }
  return missing;
}

/** Unpacks a (gzipped) tar archive into `dir`, refusing paths that leave it. */
async function unpack(archive: string, dir: string): Promise<void> {
  const file = await Deno.open(archive, { read: true });
  for await (const m of tarMembers(file.readable, archive)) {
    if (m.name.startsWith("/") || m.name.split("/").includes("..")) {
      throw new DataError(
        `${archive}:${m.name}`,
        "member path leaves the target folder; refusing to unpack",
      );
    }
    const dest = `${dir}/${m.name}`;
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(dest, m.data);
  }
}

function getSpec(name: string): DatasetSpec {
  const spec = DATASETS.get(name);
  if (!spec) {
    throw new DataError(
      `dataset '${name}'`,
      "unknown",
      `choose one of ${[...DATASETS.keys(), "imagefolder", "tar"].join(", ")}`,
    );
  }
  return spec;
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
