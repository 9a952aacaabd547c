/**
 * Embeddings on disk and exact search over them, with no tensors: `.npy` float32 matrices
 * written and read in row blocks, the files of an embedding (matrix, keys, description), a
 * bounded top-k and exact cosine nearest neighbours.
 *
 * @example
 * ```ts
 * import { cosineNeighbors, NpyMatrix } from "./src/search/mod.ts";
 * const m = await NpyMatrix.open("photos.npy");
 * const [hits] = await cosineNeighbors(m.blocks(), m.cols, query, { k: 10 });
 * m.close();
 * ```
 * @module
 */
export { type NpyHeader, npyHeader, NpyMatrix, NpyWriter, parseNpyHeader } from "./npy.ts";
export { type Scored, TopK } from "./top_k.ts";
export { cosineNeighbors, type CosineOptions, type RowBlock } from "./cosine.ts";
export {
  type EmbeddingFiles,
  embeddingFiles,
  type EmbeddingKey,
  type EmbeddingMeta,
  type EmbeddingSource,
  readEmbeddingKeys,
  readEmbeddingMeta,
} from "./embedding_files.ts";
