/**
 * The files of an embedding: the feature matrix (`NAME.npy`), its row keys (`NAME.keys.jsonl`,
 * one JSON object per row, in row order), optional projections (`NAME.z.npy`) and a description
 * (`NAME.json`: where the rows came from, the model and transform, skipped inputs).
 */
import type { EvalCrop } from "../augment/eval_view.ts";

/**
 * Paths of an embedding's files.
 *
 * @example
 * ```ts
 * embeddingFiles("out/emb.npy"); // { features: "out/emb.npy", keys: "out/emb.keys.jsonl", ... }
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
 * @example
 * ```ts
 * const files = embeddingFiles("runs/x/embeddings.npy");
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
 * label where the source has one, and its index in an indexed dataset.
 *
 * @example
 * ```ts
 * const k: EmbeddingKey = { key: "photos/cat/1.jpg", label: 0, index: 0 };
 * ```
 */
export interface EmbeddingKey {
  key: string;
  label?: number;
  index?: number;
}

/**
 * Where the embedded images came from, as `deno task embed --data` named them.
 *
 * @example
 * ```ts
 * const s: EmbeddingSource = { dataset: "imagefolder", path: "photos" };
 * ```
 */
export interface EmbeddingSource {
  /** `imagefolder`, `tar` or a registry name such as `fashion-mnist`. */
  dataset: string;
  path?: string;
  split?: string;
}

/**
 * The description written next to the matrices (no timestamps: embedding the same data twice
 * gives identical files).
 *
 * @example
 * ```ts
 * const meta: EmbeddingMeta = JSON.parse(await Deno.readTextFile(embeddingFiles(out).meta));
 * ```
 */
export interface EmbeddingMeta {
  format: "simclr-embeddings";
  version: 1;
  /** The run directory whose encoder made the rows, and its training step. */
  run: string;
  step: number;
  encoder: string;
  source: EmbeddingSource;
  rows: number;
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
  decoder: string;
  onError: "fail" | "skip";
  /** Inputs left out under `onError: skip`, with the reason. */
  skipped: { key?: string; error: string }[];
}

/**
 * Reads and checks an embedding's description.
 *
 * @example
 * ```ts
 * const meta = await readEmbeddingMeta("runs/x/embeddings.npy");
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
 * Reads the row keys (all of them: a key is small next to its row).
 *
 * @example
 * ```ts
 * const keys = await readEmbeddingKeys("runs/x/embeddings.npy");
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
