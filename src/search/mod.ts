/**
 * Embeddings on disk and exact search over them, with no tensors: `.npy` float32 matrices
 * written ({@link NpyWriter}) and read in row blocks ({@link NpyMatrix}), the files of an
 * embedding as `deno task embed` writes them ({@link embeddingFiles}, {@link readEmbeddingKeys},
 * {@link readEmbeddingMeta}), and exact cosine nearest neighbours ({@link cosineNeighbors}), which
 * `deno task neighbors` runs over an `NpyMatrix.blocks()` stream.
 *
 * @example Write a matrix, read it back in blocks and find a row's neighbours
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineNeighbors, NpyMatrix, NpyWriter } from "@simclr/streams/search";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = await NpyWriter.create(`${dir}/emb.npy`, 2);
 * await writer.append(Float32Array.of(1, 0, 0, 1, 1, 1)); // rows (1,0), (0,1), (1,1)
 * await writer.close();
 *
 * const m = await NpyMatrix.open(`${dir}/emb.npy`);
 * const [hits] = await cosineNeighbors(m.blocks(), m.cols, Float32Array.of(2, 0.1), { k: 2 });
 * m.close();
 * await Deno.remove(dir, { recursive: true });
 * assert.deepEqual(hits.map((h) => h.id), [0, 2]); // (1,0) first, then (1,1)
 * ```
 * @module
 */
export { type NpyHeader, NpyMatrix, NpyWriter } from "./npy.ts";
export { cosineNeighbors, type CosineOptions, type RowBlock, type Scored } from "./cosine.ts";
export {
  type EmbeddingFiles,
  embeddingFiles,
  type EmbeddingKey,
  type EmbeddingMeta,
  type EmbeddingSource,
  readEmbeddingKeys,
  readEmbeddingMeta,
} from "./embedding_files.ts";
