/**
 * Named datasets: where to find them (explicit path, cache, system folder, download) and
 * how to open them.
 */
import { CIFAR10_CLASSES, cifarDataset } from "./cifar.ts";
import { downloadFile } from "./download.ts";
import { DataError } from "./errors.ts";
import { imageFolder } from "./image_folder.ts";
import { imageFolderSplit } from "./image_folder_split.ts";
import { idxDataset } from "./idx.ts";
import type { IndexedDataset } from "./indexed.ts";
import { progressBar, type ProgressFn } from "./progress.ts";
import { expandShards } from "./shards.ts";
import { tarMembers } from "./tar.ts";

/**
 * A file a dataset can download.
 *
 * @example
 * ```ts
 * const f: DatasetFile = { name: "a.gz", url: "https://host/a.gz", sha256: "..." };
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
 * @example
 * ```ts
 * await openDataset("cifar10", { split: "test" satisfies Split });
 * ```
 */
export type Split = "train" | "test";

/**
 * A dataset the registry knows.
 *
 * @example
 * ```ts
 * registerDataset({ name: "my-idx", description: "my data", required: ["a.idx"],
 *   open: (dir) => idxDataset({ images: `${dir}/a.idx` }) } satisfies DatasetSpec);
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
 * @example
 * ```ts
 * registerDataset({ name: "my-idx", description: "...", required: ["a.idx"],
 *   open: (dir) => idxDataset({ images: `${dir}/a.idx` }) });
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
 * @example
 * ```ts
 * await locateDataset("mnist", { path: "data/mnist", download: false });
 * ```
 */
export interface LocateOptions {
  /** An explicit folder: the only place looked at when given (never downloaded into). */
  path?: string;
  /** Cache folder (default {@link defaultCacheDir}); the dataset lives in `<cache>/<name>`. */
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
 * @example
 * ```ts
 * const { dir, source } = await locateDataset("fashion-mnist"); // source: "system"
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
 * @example
 * ```ts
 * await openDataset("fashion-mnist", { split: "test", cacheDir: "/tmp/cache" });
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
 * @example
 * ```ts
 * const o = await openDataset("tar", { path: "shards-{0..9}.tar" });
 * if (o.kind === "shards") console.log(o.shards.length);
 * ```
 */
export type OpenedDataset =
  | { kind: "indexed"; dataset: IndexedDataset; located?: Located }
  | { kind: "shards"; shards: string[]; maxFileBytes?: number };

/**
 * Opens a dataset by name: `fashion-mnist`, `mnist`, `cifar10`, `cifar100` (located as in
 * {@link locateDataset}), `imagefolder` (`path` = the root folder) or `tar` (`path` = shard
 * paths/URLs, brace patterns allowed, several separated by spaces).
 *
 * @example
 * ```ts
 * const opened = await openDataset("cifar10", { split: "train" });
 * if (opened.kind === "indexed") console.log(opened.dataset.length);
 * const shards = await openDataset("tar", { path: "https://host/train-{000..099}.tar" });
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
 * @example
 * ```ts
 * for (const { name, description } of listDatasets()) console.log(name, description);
 * ```
 */
export function listDatasets(): { name: string; description: string }[] {
  return [
    ...[...DATASETS.values()].map((s) => ({ name: s.name, description: s.description })),
    { name: "imagefolder", description: "a folder of images, classes from sub-folders" },
    { name: "tar", description: "WebDataset tar shards, local or http(s)" },
  ];
}
