/**
 * The files of an embedding: the feature matrix (`NAME.npy`), its row keys (`NAME.keys.jsonl`,
 * one JSON object per row, in row order), optional projections (`NAME.z.npy`) and a description
 * (`NAME.json`: where the rows came from, the model and transform, skipped inputs).
 */
import type { EvalCrop } from "../augment/eval_view.ts";

/**
 * Paths of an embedding's files, as {@link embeddingFiles} derives them from the features' path.
 *
 * @example The files beside a features matrix
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EmbeddingFiles, embeddingFiles } from "@simclr/streams/search";
 *
 * const files: EmbeddingFiles = embeddingFiles("out/emb.npy");
 * assert.deepEqual(files, {
 *   features: "out/emb.npy",
 *   keys: "out/emb.keys.jsonl",
 *   projections: "out/emb.z.npy",
 *   meta: "out/emb.json",
 * });
 * ```
 */
export interface EmbeddingFiles {
  /** The features `h`, float32 `rows x dim`. */
  features: string;
  /** One {@link EmbeddingKey} per row, JSON lines. */
  keys: string;
  /** The projections `z`, float32 `rows x projectionDim` (when written). */
  projections: string;
  /** The {@link EmbeddingMeta} as JSON. */
  meta: string;
}

/**
 * The files that belong with `features` (a `.npy` path; the suffix is added when missing).
 *
 * @param features The features' path, with or without `.npy`.
 * @returns The paths of the features, keys, projections and description.
 *
 * @example With or without the suffix
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingFiles } from "@simclr/streams/search";
 *
 * assert.deepEqual(embeddingFiles("runs/x/emb"), embeddingFiles("runs/x/emb.npy"));
 * assert.equal(embeddingFiles("runs/x/emb").keys, "runs/x/emb.keys.jsonl");
 * ```
 */
export function embeddingFiles(features: string): EmbeddingFiles {
  const stem = features.endsWith(".npy") ? features.slice(0, -4) : features;
  return {
    features: `${stem}.npy`,
    keys: `${stem}.keys.jsonl`,
    projections: `${stem}.z.npy`,
    meta: `${stem}.json`,
  };
}

/**
 * What identifies one row: the sample key (file path, `shard.tar:key`, `dataset/split[i]`), its
 * label where the source has one, and its index in an indexed dataset. The keys file holds one
 * per line, as JSON, in row order.
 *
 * @example A keys file read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingFiles, type EmbeddingKey, readEmbeddingKeys } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const keys: EmbeddingKey[] = [{ key: "photos/cat/1.jpg", label: 0 }, { key: "photos/dog/1.jpg", label: 1 }];
 * await Deno.writeTextFile(
 *   embeddingFiles(`${dir}/emb.npy`).keys,
 *   keys.map((k) => JSON.stringify(k) + "\n").join(""),
 * );
 * assert.deepEqual(await readEmbeddingKeys(`${dir}/emb.npy`), keys);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface EmbeddingKey {
  /** The sample key: file path, `shard.tar:key` or `dataset/split[i]`. */
  key: string;
  /** Class label, where the source has one. */
  label?: number;
  /** Index in an indexed dataset. */
  index?: number;
}

/**
 * Where the embedded images came from, as `deno task embed --data` named them.
 *
 * @example An image folder and a registry dataset
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EmbeddingSource } from "@simclr/streams/search";
 *
 * const folder: EmbeddingSource = { dataset: "imagefolder", path: "photos" };
 * const registry: EmbeddingSource = { dataset: "fashion-mnist", split: "test" };
 * assert.equal(folder.split ?? registry.split, "test");
 * ```
 */
export interface EmbeddingSource {
  /** `imagefolder`, `tar` or a registry name such as `fashion-mnist`. */
  dataset: string;
  /** The folder or shard path, for `imagefolder` and `tar`. */
  path?: string;
  /** The split of a registry dataset (`train`, `test`). */
  split?: string;
}

/**
 * The description written next to the matrices (no timestamps: embedding the same data twice
 * gives identical files). {@link readEmbeddingMeta} reads and checks it.
 *
 * @example A description written and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingFiles, type EmbeddingMeta, readEmbeddingMeta } from "@simclr/streams/search";
 *
 * const meta: EmbeddingMeta = {
 *   format: "simclr-embeddings",
 *   version: 1,
 *   run: "runs/demo",
 *   step: 1000,
 *   encoder: "resnet18",
 *   source: { dataset: "imagefolder", path: "photos" },
 *   rows: 2,
 *   dim: 512,
 *   view: {
 *     size: 32,
 *     channels: 3,
 *     mean: [0.5, 0.5, 0.5],
 *     std: [0.25, 0.25, 0.25],
 *     crop: "whole",
 *     cropProportion: 0.875,
 *   },
 *   decoder: "imagescript",
 *   onError: "skip",
 *   skipped: [{ key: "photos/broken.jpg", error: "not an image" }],
 * };
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(embeddingFiles(`${dir}/emb.npy`).meta, JSON.stringify(meta));
 * assert.deepEqual(await readEmbeddingMeta(`${dir}/emb.npy`), meta);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface EmbeddingMeta {
  /** Always `"simclr-embeddings"`. */
  format: "simclr-embeddings";
  /** Format version (1). */
  version: 1;
  /** The run directory whose encoder made the rows. */
  run: string;
  /** The training step of the checkpoint used. */
  step: number;
  /** The encoder's name (e.g. `resnet18`). */
  encoder: string;
  /** Where the embedded images came from. */
  source: EmbeddingSource;
  /** Rows of the matrices. */
  rows: number;
  /** Width of the features `h`. */
  dim: number;
  /** Width of the projections, when `NAME.z.npy` was written. */
  projectionDim?: number;
  /** The run's evaluation transform (`evalView`): crop, resize to `size`, `(x / 255 - mean) / std`. */
  view: {
    size: number;
    channels: 1 | 3;
    mean: number[];
    std: number[];
    crop: EvalCrop;
    cropProportion: number;
  };
  /** The image decoder used. */
  decoder: string;
  /** What bad inputs did: fail the run, or get skipped and listed in `skipped`. */
  onError: "fail" | "skip";
  /** Inputs left out under `onError: skip`, with the reason. */
  skipped: { key?: string; error: string }[];
}

/**
 * Reads and checks an embedding's description (`NAME.json` beside `NAME.npy`).
 *
 * @param features The features' `.npy` path (as `deno task embed --out` wrote it).
 * @returns The description.
 * @throws {Error} When the file cannot be read.
 * @throws {TypeError} When it is not an embedding description.
 *
 * @example Refusing a file that is not an embedding description
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingFiles, readEmbeddingMeta } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(embeddingFiles(`${dir}/emb.npy`).meta, '{"format": "other"}');
 * await assert.rejects(() => readEmbeddingMeta(`${dir}/emb.npy`), TypeError);
 * await assert.rejects(() => readEmbeddingMeta(`${dir}/missing.npy`), /cannot read/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readEmbeddingMeta(features: string): Promise<EmbeddingMeta> {
  const path = embeddingFiles(features).meta;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `${path}: cannot read the embedding's description (${(error as Error).message}); ` +
        `pass the .npy that 'deno task embed' wrote`,
    );
  }
  const meta = JSON.parse(text) as EmbeddingMeta;
  if (meta.format !== "simclr-embeddings") {
    throw new TypeError(`${path}: not an embedding description (format '${meta.format}')`);
  }
  return meta;
}

/**
 * Reads the row keys (all of them: a key is small next to its row), in row order.
 *
 * @param features The features' `.npy` path.
 * @returns One key per row of the matrix.
 * @throws {TypeError} When a line is not JSON or has no string `key` (naming file and line).
 *
 * @example Keys of two rows, and a bad line
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingFiles, readEmbeddingKeys } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const { keys } = embeddingFiles(`${dir}/emb.npy`);
 * await Deno.writeTextFile(keys, '{"key":"a.jpg","label":3}\n{"key":"b.jpg"}\n');
 * assert.deepEqual(await readEmbeddingKeys(`${dir}/emb.npy`), [
 *   { key: "a.jpg", label: 3 },
 *   { key: "b.jpg" },
 * ]);
 * await Deno.writeTextFile(keys, '{"key":"a.jpg"}\n{"label":1}\n');
 * await assert.rejects(() => readEmbeddingKeys(`${dir}/emb.npy`), /emb.keys.jsonl:2: bad key line/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readEmbeddingKeys(features: string): Promise<EmbeddingKey[]> {
  const path = embeddingFiles(features).keys;
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => {
    try {
      const k = JSON.parse(line) as EmbeddingKey;
      if (typeof k.key !== "string") throw new TypeError("no string 'key'");
      return k;
    } catch (error) {
      throw new TypeError(`${path}:${i + 1}: bad key line (${(error as Error).message})`);
    }
  });
}
