/**
 * Nearest neighbours in an embedding: the query row (a row of the embedding, or an image embedded
 * with the run's encoder and evaluation transform), exact cosine search over the `.npy` read in
 * blocks, and the samples behind the hits fetched back from the source for the page's thumbnails.
 */
import * as tf from "@tensorflow/tfjs";
import { evalCropBox } from "../augment/_eval_crop.ts";
import { evalView } from "../augment/eval_view.ts";
import { resizedCrop } from "../augment/resize.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { decodeSample } from "../data/decoder.ts";
import { createDecoder, type DecoderName } from "../data/decoders.ts";
import { datasetSamples } from "../data/samples.ts";
import { isEncoded, type RawImage, type Sample } from "../data/sample.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { Thumbnail } from "../report/neighbors_page.ts";
import { cosineNeighbors } from "../search/cosine.ts";
import type { EmbeddingKey, EmbeddingMeta, EmbeddingSource } from "../search/embedding_files.ts";
import { NpyMatrix } from "../search/npy.ts";
import { openEmbedSource } from "./embed.ts";

/**
 * One neighbour: its row, key and cosine similarity to the query.
 *
 * @example Listing hits
 * ```ts
 * import type { NeighborHit } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const line = (h: NeighborHit) => `${h.key.key} ${h.similarity.toFixed(3)}`;
 * const hit: NeighborHit = { row: 12, key: { key: "a.png", label: 0 }, similarity: 0.97 };
 * assert.equal(line(hit), "a.png 0.970");
 * ```
 */
export interface NeighborHit {
  /** Its row in the matrix. */
  row: number;
  /** Its key (and label, index) from the keys file. */
  key: EmbeddingKey;
  /** Cosine similarity to the query. */
  similarity: number;
}

/**
 * The `k` rows of `features` (a `.npy` path) most cosine-similar to `query`, best first,
 * leaving out row `exclude` (the query's own row), with their keys (what
 * `deno task neighbors` runs). The matrix is streamed, not loaded whole.
 *
 * @param features The `.npy` features of an embedding.
 * @param keys Its keys, one per row (`readEmbeddingKeys` of `@simclr/streams/search`).
 * @param query A vector of the matrix's width.
 * @param k How many neighbours.
 * @param exclude A row to leave out (default none).
 * @returns The neighbours, most similar first.
 * @throws {RangeError} when `query` does not have the matrix's width.
 * @throws {TypeError} when `keys` does not have one key per row.
 *
 * @example The nearest rows to one row
 * ```ts
 * import { nearestRows, readRow, rowOfKey } from "@simclr/streams/pipeline";
 * import { NpyWriter } from "@simclr/streams/search";
 * import assert from "node:assert/strict";
 *
 * // Four rows of a 2-column embedding and their keys.
 * const dir = await Deno.makeTempDir();
 * const features = `${dir}/emb.npy`;
 * const writer = await NpyWriter.create(features, 2);
 * await writer.append(Float32Array.of(1, 0, 0.9, 0.1, 0, 1, -1, 0));
 * await writer.close();
 * const keys = ["a.png", "b.png", "c.png", "d.png"].map((key, index) => ({ key, index }));
 * try {
 *   const row = rowOfKey(keys, "a.png");
 *   const hits = await nearestRows(features, keys, await readRow(features, row), 2, row);
 *   assert.deepEqual(hits.map((h) => h.key.key), ["b.png", "c.png"]);
 *   assert.ok(Math.abs(hits[0].similarity - 0.9 / Math.hypot(0.9, 0.1)) < 1e-6);
 *   await assert.rejects(nearestRows(features, keys, Float32Array.of(1), 2), RangeError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function nearestRows(
  features: string,
  keys: readonly EmbeddingKey[],
  query: Float32Array,
  k: number,
  exclude = -1,
): Promise<NeighborHit[]> {
  const m = await NpyMatrix.open(features);
  try {
    if (m.rows !== keys.length) {
      throw new TypeError(
        `${features} has ${m.rows} rows but its keys file has ${keys.length} lines: ` +
          "the files do not belong together (embed again)",
      );
    }
    if (query.length !== m.cols) {
      throw new RangeError(
        `the query has ${query.length} values; ${features} has ${m.cols} columns`,
      );
    }
    const [hits] = await cosineNeighbors(m.blocks(), m.cols, query, { k, exclude: [exclude] });
    return hits.map((h) => ({ row: h.id, key: keys[h.id], similarity: h.score }));
  } finally {
    m.close();
  }
}

/**
 * The row of `key` in an embedding's keys.
 *
 * @param keys The keys, one per row.
 * @param key The key to find, as written in the `.keys.jsonl` file.
 * @returns Its row.
 * @throws {RangeError} naming close keys when no row has it.
 *
 * @example Finding a key's row
 * ```ts
 * import { rowOfKey } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const keys = [{ key: "photos/cat.jpg" }, { key: "photos/dog.jpg" }];
 * assert.equal(rowOfKey(keys, "photos/dog.jpg"), 1);
 * assert.throws(() => rowOfKey(keys, "dog.jpg"), /close: 'photos\/dog\.jpg'/);
 * ```
 */
export function rowOfKey(keys: readonly EmbeddingKey[], key: string): number {
  const row = keys.findIndex((k) => k.key === key);
  if (row < 0) {
    const near = keys.filter((k) => k.key.includes(key) || key.includes(k.key)).slice(0, 3);
    throw new RangeError(
      `no row has key '${key}'` +
        (near.length ? ` (close: ${near.map((k) => `'${k.key}'`).join(", ")})` : "") +
        `; keys are as in the .keys.jsonl file (${keys.length} rows)`,
    );
  }
  return row;
}

/**
 * One row of `features` (a `.npy` path), read without loading the matrix.
 *
 * @param features The `.npy` file.
 * @param row The row index.
 * @returns Its values.
 *
 * @example Reading one row
 * ```ts
 * import { readRow } from "@simclr/streams/pipeline";
 * import { NpyWriter } from "@simclr/streams/search";
 * import assert from "node:assert/strict";
 *
 * // Four rows of a 2-column embedding and their keys.
 * const dir = await Deno.makeTempDir();
 * const features = `${dir}/emb.npy`;
 * const writer = await NpyWriter.create(features, 2);
 * await writer.append(Float32Array.of(1, 0, 0.9, 0.1, 0, 1, -1, 0));
 * await writer.close();
 * const keys = ["a.png", "b.png", "c.png", "d.png"].map((key, index) => ({ key, index }));
 * try {
 *   assert.deepEqual([...await readRow(features, 3)], [-1, 0]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readRow(features: string, row: number): Promise<Float32Array> {
  const m = await NpyMatrix.open(features);
  try {
    return await m.readRows(row, 1);
  } finally {
    m.close();
  }
}

/**
 * Embeds one image file as `deno task embed` embeds each image: decoded, converted to the run's
 * channels, `evalView`, the encoder in inference mode (start the backend first).
 */
export async function embedImageFile(
  model: SimCLRModel,
  cfg: PipelineConfig,
  path: string,
  view: EmbeddingMeta["view"],
): Promise<Float32Array> {
  const decoder = await createDecoder(cfg.data.decoder as DecoderName);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(`--query ${path}: cannot read (${(error as Error).message})`);
  }
  const image = await decodeSample(decoder, { key: path, bytes }, view.channels);
  const v = evalView(image, view);
  const y = tf.tidy(() =>
    model.encoder.apply(tf.tensor4d(v.data, [1, view.size, view.size, view.channels]), {
      training: false,
    })
  );
  try {
    return await y.data() as Float32Array;
  } finally {
    y.dispose();
  }
}

/**
 * The samples behind `keys`, fetched back from the source the embedding read: by index from an
 * indexed dataset (checked against the key), by path for a folder, by a pass over the shards for
 * tar. A key that cannot be fetched maps to the Error saying why.
 */
export async function fetchSamples(
  source: EmbeddingSource,
  keys: readonly EmbeddingKey[],
): Promise<Map<string, Sample | Error>> {
  const out = new Map<string, Sample | Error>();
  const opened = await openEmbedSource(source).catch((e: Error) => e);
  if (opened instanceof Error) {
    for (const k of keys) out.set(k.key, opened);
    return out;
  }
  if (opened.kind === "indexed") {
    const ds = opened.dataset;
    for (const k of keys) {
      try {
        if (k.index === undefined) throw new Error("the key has no index");
        const s = await ds.get(k.index);
        if (s.key !== k.key) {
          throw new Error(`row ${k.index} of the source is now '${s.key}' (the data changed)`);
        }
        out.set(k.key, s);
      } catch (error) {
        // A folder's key is its path: read it directly when the listing moved.
        if (source.dataset === "imagefolder") {
          try {
            out.set(k.key, { key: k.key, bytes: await Deno.readFile(k.key) });
            continue;
          } catch { /* fall through */ }
        }
        out.set(k.key, error as Error);
      }
    }
    ds.close?.();
    return out;
  }
  const wanted = new Set(keys.map((k) => k.key));
  const samples = datasetSamples(opened, {
    seed: 0,
    epochs: 1,
    shuffle: false,
    shuffleBuffer: 0,
    onError: "skip",
  });
  for await (const s of samples) {
    if (wanted.delete(s.key)) out.set(s.key, s);
    if (wanted.size === 0) break;
  }
  for (const k of wanted) out.set(k, new Error("not found in the shards"));
  return out;
}

/** Longest side of a thumbnail; smaller images keep their size (the page scales them up). */
const THUMB = 128;

/**
 * A thumbnail of a sample for the page: decoded with `decoder`, the centred square (what the
 * encoder saw), at most 128 pixels a side.
 */
export async function thumbnail(
  sample: Sample | Error,
  decoder: DecoderName,
): Promise<Thumbnail> {
  if (sample instanceof Error) return { missing: sample.message };
  try {
    const image: RawImage = isEncoded(sample)
      ? await decodeSample(await createDecoder(decoder), sample)
      : sample;
    const box = evalCropBox(image.width, image.height, THUMB, "center", 1);
    const side = Math.min(THUMB, box.width);
    const f = resizedCrop(image, box, side);
    const data = new Uint8Array(f.data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.round(Math.min(1, Math.max(0, f.data[i])) * 255);
    }
    return { width: side, height: side, channels: image.channels, data };
  } catch (error) {
    return { missing: (error as Error).message };
  }
}
