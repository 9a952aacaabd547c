/**
 * Embedding a dataset with a trained encoder: samples in dataset order -> decode + evaluation
 * transform in a worker pool (ordered) -> batches -> encoder in inference mode -> rows appended
 * to a `.npy` matrix and keys to a JSONL file as they come, so memory stays bounded whatever the
 * dataset's size. Bad inputs fail the run or are skipped and listed, as `data.onError` says.
 */
import * as tf from "@tensorflow/tfjs";
import type { PipelineConfig } from "../config/pipeline.ts";
import type { DecoderName } from "../data/decoders.ts";
import { type OnError, SkipLog } from "../data/errors.ts";
import { DATASETS } from "../data/_dataset_table.ts";
import { openDataset, type OpenedDataset, type Split } from "../data/registry.ts";
import { datasetSamples } from "../data/samples.ts";
import type { ImageBatchLike } from "../eval/features.ts";
import { encodeBatches } from "../eval/_encode_batches.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import {
  type EmbeddingFiles,
  embeddingFiles,
  type EmbeddingKey,
  type EmbeddingMeta,
  type EmbeddingSource,
} from "../search/embedding_files.ts";
import { NpyWriter } from "../search/npy.ts";
import { batch } from "../streams/batch.ts";
import { map } from "../streams/map.ts";
import { parallelMap } from "../streams/parallel_map.ts";
import {
  createMapper,
  type EvalViewFailure,
  type EvalViewInput,
  type EvalViewItem,
  type EvalViewWorkerInit,
} from "./eval_view_worker.ts";
import { runEvalView } from "./run_eval_view.ts";

/**
 * Options of {@link embedDataset}.
 *
 * @example Embedding an image folder, projections too
 * ```ts
 * import type { EmbedOptions } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const what: Pick<EmbedOptions, "source" | "out" | "projections" | "batchSize"> = {
 *   source: { dataset: "imagefolder", path: "photos/" },
 *   out: "photos.npy",
 *   projections: true,
 *   batchSize: 64,
 * };
 * assert.equal(what.source.dataset, "imagefolder");
 * ```
 */
export interface EmbedOptions {
  /** The trained model (its encoder in inference mode makes the rows). */
  model: SimCLRModel;
  /** The run's config: view size and normalization, channels, decoder, `data.onError`. */
  cfg: PipelineConfig;
  /** The run directory and step, recorded in the description. */
  run: string;
  /** The checkpoint's optimizer step, recorded in the description. */
  step: number;
  /** What to embed. */
  source: EmbeddingSource;
  /** The features' `.npy` path; the other files go next to it (see `embeddingFiles`). */
  out: string;
  /** Also write the projections `z` (`NAME.z.npy`). */
  projections?: boolean;
  /** Images per encoder call (default {@link defaultEmbedBatch} of the view size). */
  batchSize?: number;
  /** Decode workers (default `data.workers`; 0: on this thread). */
  workers?: number;
  /** Overrides `data.onError`. */
  onError?: OnError;
  /** Called after each batch with the rows written and the total when known. */
  onProgress?: (done: number, total: number | undefined) => void;
}

/**
 * What {@link embedDataset} wrote: the files (`.npy` features, keys, projections, description)
 * and the description written with them.
 *
 * @example Rows and dimension of an embedding
 * ```ts
 * import type { EmbedResult } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const shape = (r: EmbedResult) => [r.meta.rows, r.meta.dim];
 * const result = {
 *   files: { features: "e.npy", keys: "e.keys.jsonl", projections: "e.z.npy", meta: "e.json" },
 *   meta: { rows: 8, dim: 128 },
 * } as EmbedResult;
 * assert.deepEqual(shape(result), [8, 128]);
 * ```
 */
export interface EmbedResult {
  /** Paths of the features, keys, projections and description. */
  files: EmbeddingFiles;
  /** The description written next to the matrices. */
  meta: EmbeddingMeta;
}

/**
 * What `deno task embed --data` names: a registry dataset (`fashion-mnist`, ...; split default
 * `test`), an image folder, or tar shards (`.tar` paths, brace patterns, http(s) URLs; several
 * separated by spaces). A registry dataset the run trained on is looked for at the run's
 * `data.path` (`run`) first.
 *
 * @param data A dataset name, a folder, or tar shards.
 * @param split The split of a registry dataset.
 * @param run The run's `data` section, for where its dataset lies.
 * @returns The source for {@link embedDataset}.
 * @throws {TypeError} when `data` is none of these.
 *
 * @example Naming what to embed
 * ```ts
 * import { embedSourceOf } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await embedSourceOf("fashion-mnist"), {
 *   dataset: "fashion-mnist", split: "test",
 * });
 * assert.deepEqual(await embedSourceOf("shards/train-{0000..0003}.tar"), {
 *   dataset: "tar", path: "shards/train-{0000..0003}.tar",
 * });
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.deepEqual(await embedSourceOf(dir), { dataset: "imagefolder", path: dir });
 *   await assert.rejects(embedSourceOf(`${dir}/missing`), /no such file or folder/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function embedSourceOf(
  data: string,
  split?: string,
  run?: { dataset: string; path?: string },
): Promise<EmbeddingSource> {
  if (DATASETS.has(data)) {
    const path = run?.dataset === data ? run.path : undefined;
    return { dataset: data, ...(path ? { path } : {}), split: split ?? "test" };
  }
  const parts = data.split(/\s+/).filter(Boolean);
  if (parts.length > 0 && parts.every((p) => /^https?:\/\//.test(p) || /\.tar$|\{.*\}/.test(p))) {
    return { dataset: "tar", path: data };
  }
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(data);
  } catch { /* not a path */ }
  if (info?.isDirectory) return { dataset: "imagefolder", path: data };
  throw new TypeError(
    `--data '${data}' is not an image folder, tar shards (.tar, brace patterns, URLs) or a ` +
      `dataset name (${[...DATASETS.keys()].join(", ")})` +
      (info ? "" : ": no such file or folder"),
  );
}

/**
 * Opens what `deno task embed --data` names: a folder, tar shards or a registry dataset. A folder
 * without `--split` is opened whole (every image under it; no train/test hold-out), a registry
 * dataset at the split {@link embedSourceOf} chose.
 */
export async function openEmbedSource(source: EmbeddingSource): Promise<OpenedDataset> {
  return await openDataset(source.dataset, {
    path: source.path,
    ...(source.split === undefined ? {} : { split: source.split as Split }),
  });
}

/**
 * Images per encoder call for `size x size` views: 128, fewer for large views so that a batch holds
 * at most 32 images of 224 x 224 (the activations of a ResNet on 128 such images outgrow the wasm
 * backend's 4 GiB heap).
 */
export function defaultEmbedBatch(size: number): number {
  return Math.max(1, Math.min(128, Math.floor((32 * 224 * 224) / (size * size))));
}

interface ViewBatch extends ImageBatchLike {
  keys: EmbeddingKey[];
}

/**
 * Embeds every image of `o.source` with the run's encoder (inference mode, the evaluation view)
 * and writes the features `.npy`, one key per row (`.keys.jsonl`), optionally the projections,
 * and a description (what `deno task embed` runs). Rows are in dataset order whatever the
 * number of workers, so the same input gives the same files. Start the backend first.
 *
 * @param o The model, the run's config, the source and the output path.
 * @returns The files written and their description.
 *
 * @example Embedding the test split of a tiny run
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { embedDataset, embedSourceOf, loadRunModel, pretrain } from "@simclr/streams/pipeline";
 * import { readEmbeddingKeys } from "@simclr/streams/search";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * // A tiny dataset in MNIST's file layout: 8x8 gray images of two classes.
 * const dir = await Deno.makeTempDir();
 * const gz = (magic: number, dims: number[], body: number[]) => {
 *   const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
 *   head.setUint32(0, magic);
 *   dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
 *   return gzipSync(Uint8Array.from([...new Uint8Array(head.buffer), ...body]));
 * };
 * for (const [split, n] of [["train", 16], ["t10k", 8]] as const) {
 *   const labels = Array.from({ length: n }, (_, i) => i % 2);
 *   // class 0: horizontal stripes, class 1: vertical ones
 *   const pixels = Array.from({ length: n * 64 }, (_, p) =>
 *     ((labels[p >> 6] ? p : p >> 3) % 8) * 30);
 *   await Deno.writeFile(`${dir}/${split}-images-idx3-ubyte.gz`, gz(0x803, [n, 8, 8], pixels));
 *   await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte.gz`, gz(0x801, [n], labels));
 * }
 * const cfg = parsePipeline(`
 * run: { outDir: ${dir}/runs }
 * data: { dataset: mnist, path: ${dir}, workers: 0 }
 * augment: { preset: simclr-gray, size: 8 }
 * model: { encoder: small, stem: cifar, inChannels: 1, head: { layers: 2, hidden: 8, out: 4 } }
 * optim: { epochs: 1, batchSize: 8, warmupEpochs: 0 }
 * train: { backend: wasm }
 * eval: { knn: { k: 3 }, linearProbe: { maxIterations: 20 } }
 * `, "tiny.yaml");
 * try {
 *   const { runDir } = await pretrain(cfg, { evaluate: false, progress: false, log: () => {} });
 *   const { model, step } = await loadRunModel(runDir, cfg);
 *   const source = await embedSourceOf("mnist", "test", cfg.data);
 *   const { files, meta } = await embedDataset({
 *     model, cfg, run: runDir, step, source, out: `${dir}/test.npy`,
 *   });
 *   model.dispose();
 *   assert.equal(meta.rows, 8);
 *   assert.equal(meta.dim, 128);
 *   const keys = await readEmbeddingKeys(files.features);
 *   assert.deepEqual(keys.map((k) => k.label), [0, 1, 0, 1, 0, 1, 0, 1]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function embedDataset(o: EmbedOptions): Promise<EmbedResult> {
  const view = runEvalView(o.cfg);
  const channels = o.cfg.model.inChannels;
  const S = view.size, per = S * S * channels;
  const onError = o.onError ?? o.cfg.data.onError;
  const workers = o.workers ?? o.cfg.data.workers;
  const B = o.batchSize ?? defaultEmbedBatch(S);
  const files = embeddingFiles(o.out);
  const opened = await openEmbedSource(o.source);
  const total = opened.kind === "indexed" ? opened.dataset.length : undefined;

  const skipped: { key?: string; error: string }[] = [];
  // Read errors (an unreadable file, a broken shard) are counted by the source's skip log;
  // every example is kept, so the description lists them all.
  const skips = new SkipLog((r) => {
    for (const e of r.examples) skipped.push({ error: e });
  }, Infinity);
  const samples = datasetSamples(opened, {
    seed: 0,
    epochs: 1,
    shuffle: false,
    shuffleBuffer: 0,
    onError,
    skips,
  }) as ReadableStream<EvalViewInput>;
  const init: EvalViewWorkerInit = {
    view,
    channels,
    decoder: o.cfg.data.decoder as DecoderName,
    onError,
  };
  const views: ReadableStream<EvalViewItem | EvalViewFailure> = workers > 0
    ? samples.pipeThrough(
      parallelMap<EvalViewInput, EvalViewItem | EvalViewFailure>(
        new URL("./eval_view_worker.ts", import.meta.url),
        { workers, init, name: "decode" },
      ),
    )
    : samples.pipeThrough(inlineViews(init));
  const indexed = opened.kind === "indexed";
  const batches = views
    .pipeThrough(batch<EvalViewItem | EvalViewFailure>(B))
    .pipeThrough(map((items: (EvalViewItem | EvalViewFailure)[]): ViewBatch => {
      const ok: EvalViewItem[] = [];
      for (const it of items) {
        if ("failed" in it) skipped.push({ key: it.key, error: it.failed });
        else ok.push(it);
      }
      const out = new Float32Array(ok.length * per);
      const keys: EmbeddingKey[] = ok.map((it, i) => {
        out.set(it.view, i * per);
        const k: EmbeddingKey = { key: it.key };
        if (it.label !== undefined) k.label = it.label;
        if (indexed && it.index !== undefined) k.index = it.index;
        return k;
      });
      return { views: out, height: S, width: S, channels, count: ok.length, keys };
    }));

  const { encoder, head } = o.model;
  const encode = (x: tf.Tensor4D): tf.Tensor2D => {
    const h = encoder.apply(x, { training: false });
    return o.projections ? tf.concat([h, head.apply(h, { training: false })], 1) : h;
  };
  const dim = encoder.featureDim;
  const zDim = head.outDim;
  const hWriter = await NpyWriter.create(files.features, dim);
  const zWriter = o.projections ? await NpyWriter.create(files.projections, zDim) : undefined;
  const keyFile = await Deno.open(`${files.keys}.partial`, {
    write: true,
    create: true,
    truncate: true,
  });
  const text = new TextEncoder();
  let done = 0;
  try {
    for await (const e of encodeBatches(encode, batches)) {
      const { features, count } = e;
      if (zWriter) {
        const h = new Float32Array(count * dim), z = new Float32Array(count * zDim);
        for (let i = 0; i < count; i++) {
          h.set(features.subarray(i * (dim + zDim), i * (dim + zDim) + dim), i * dim);
          z.set(features.subarray(i * (dim + zDim) + dim, (i + 1) * (dim + zDim)), i * zDim);
        }
        await hWriter.append(h);
        await zWriter.append(z);
      } else {
        await hWriter.append(features);
      }
      const lines = e.batch.keys.map((k) => JSON.stringify(k) + "\n").join("");
      const bytes = text.encode(lines);
      for (let off = 0; off < bytes.length;) off += await keyFile.write(bytes.subarray(off));
      done += count;
      o.onProgress?.(done + skipped.length, total);
    }
    if (done === 0) {
      throw new Error(
        `${o.source.path ?? o.source.dataset}: no image could be embedded` +
          (skipped.length ? ` (${skipped.length} skipped; first: ${skipped[0].error})` : ""),
      );
    }
    keyFile.close();
    await Deno.rename(`${files.keys}.partial`, files.keys);
    await hWriter.close();
    await zWriter?.close();
  } catch (error) {
    try {
      keyFile.close();
    } catch { /* closed already */ }
    await Deno.remove(`${files.keys}.partial`).catch(() => {});
    await hWriter.abort();
    await zWriter?.abort();
    throw error;
  }
  const meta: EmbeddingMeta = {
    format: "simclr-embeddings",
    version: 1,
    run: o.run,
    step: o.step,
    encoder: encoder.name,
    source: o.source,
    rows: done,
    dim,
    ...(o.projections ? { projectionDim: zDim } : {}),
    view: {
      size: S,
      channels,
      mean: [...view.mean],
      std: [...view.std],
      crop: view.crop,
      cropProportion: view.cropProportion,
    },
    decoder: o.cfg.data.decoder,
    onError,
    skipped,
  };
  await Deno.writeTextFile(files.meta, JSON.stringify(meta, null, 2) + "\n");
  return { files, meta };
}

function inlineViews(init: EvalViewWorkerInit) {
  const mapper = createMapper(init);
  return map(async (s: EvalViewInput) => (await mapper)(s), { name: "decode" });
}
