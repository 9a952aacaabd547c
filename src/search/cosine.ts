/**
 * Exact cosine nearest neighbours over a float32 matrix read in row blocks: every row is scored
 * against every query (a blocked matrix product in plain TypeScript: each block of rows is read
 * once and scored against all queries while it is in cache), and the k best rows per query are
 * kept in bounded heaps, so memory stays at one block plus `k` hits per query.
 */
import { TopK } from "./_top_k.ts";

/** Rows scored against all queries while they are in cache (32 rows of 512 floats: 64 KiB). */
const TILE = 32;

/**
 * One hit of a search: an id (a row number of the matrix) and its score (for
 * {@link cosineNeighbors}, the cosine similarity in -1..1).
 *
 * @example The hits cosineNeighbors returns
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineNeighbors, type Scored } from "@simclr/streams/search";
 *
 * const rows = [{ start: 0, values: Float32Array.of(3, 4, -3, -4) }];
 * const [hits]: Scored[][] = await cosineNeighbors(rows, 2, Float32Array.of(3, 4), { k: 2 });
 * assert.deepEqual(hits, [{ id: 0, score: 1 }, { id: 1, score: -1 }]);
 * ```
 */
export interface Scored {
  /** Row number. */
  id: number;
  /** Similarity (higher is closer). */
  score: number;
}

/**
 * A block of consecutive matrix rows: `values` holds whole rows from row `start` on. Hits name
 * rows by `start` plus the row's place in the block.
 *
 * @example Scoring a matrix given as two blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineNeighbors, type RowBlock } from "@simclr/streams/search";
 *
 * const blocks: RowBlock[] = [
 *   { start: 0, values: Float32Array.of(1, 0, 0, 1) }, // rows 0 and 1
 *   { start: 2, values: Float32Array.of(-1, 0) }, // row 2
 * ];
 * const [hits] = await cosineNeighbors(blocks, 2, Float32Array.of(-5, 0), { k: 1 });
 * assert.deepEqual(hits, [{ id: 2, score: 1 }]);
 * ```
 */
export interface RowBlock {
  /** Row number of the block's first row. */
  start: number;
  /** Whole rows, one after the other (`rows * cols` values). */
  values: Float32Array;
}

/**
 * Options of {@link cosineNeighbors}: how many neighbours, and a row to leave out per query.
 *
 * @example Leaving each query's own row out
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineNeighbors, type CosineOptions } from "@simclr/streams/search";
 *
 * const rows = [{ start: 0, values: Float32Array.of(1, 0, 1, 0.1, 0, 1) }];
 * const options: CosineOptions = { k: 1, exclude: [0] }; // query 0 is row 0
 * const [hits] = await cosineNeighbors(rows, 2, Float32Array.of(1, 0), options);
 * assert.equal(hits[0].id, 1);
 * ```
 */
export interface CosineOptions {
  /** Neighbours per query (default 10). */
  k?: number;
  /** For each query, a row to leave out (e.g. the query's own row), or -1 for none. */
  exclude?: readonly number[];
}

/**
 * The `k` rows most cosine-similar to each query, best first (ties: lower row first). `queries`
 * holds `m` rows of `cols` values; `blocks` yields the matrix (an `NpyMatrix.blocks()` stream, or
 * an array). Scores are computed in double precision. A row of zeros has similarity 0 with
 * everything; a query of zeros is refused (its cosine is undefined). Memory stays at one block
 * plus `k` hits per query.
 *
 * @param blocks The matrix, as consecutive blocks of whole rows.
 * @param cols Values per row (the embedding width).
 * @param queries `m` query rows of `cols` values, one after the other.
 * @param options `k` (default 10) and rows to exclude.
 * @returns For each query, its hits best first (at most `k`).
 * @throws {RangeError} When `cols` is not a positive integer, `queries` is not whole rows, a
 * query has norm zero (or is not finite), or a row holds NaN or infinite values.
 *
 * @example Two queries against three rows
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineNeighbors } from "@simclr/streams/search";
 *
 * const matrix = [{ start: 0, values: Float32Array.of(1, 0, 0, 1, 1, 1) }];
 * const queries = Float32Array.of(0, 3, 1, 0.9); // (0,3) and (1,0.9)
 * const [a, b] = await cosineNeighbors(matrix, 2, queries, { k: 2 });
 * assert.deepEqual(a.map((h) => h.id), [1, 2]);
 * assert.deepEqual(b.map((h) => h.id), [2, 0]);
 * assert.ok(Math.abs(a[1].score - Math.SQRT1_2) < 1e-12);
 * ```
 */
export async function cosineNeighbors(
  blocks: AsyncIterable<RowBlock> | Iterable<RowBlock>,
  cols: number,
  queries: Float32Array,
  options: CosineOptions = {},
): Promise<Scored[][]> {
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be >= 1, got ${cols}`);
  if (queries.length === 0 || queries.length % cols !== 0) {
    throw new RangeError(`queries hold ${queries.length} values, not whole rows of ${cols}`);
  }
  const m = queries.length / cols;
  const k = options.k ?? 10;
  const exclude = options.exclude ?? [];
  // Unit-length queries as doubles.
  const q = new Float64Array(queries.length);
  for (let j = 0; j < m; j++) {
    let n2 = 0;
    for (let d = 0; d < cols; d++) n2 += queries[j * cols + d] * queries[j * cols + d];
    if (!(n2 > 0) || !Number.isFinite(n2)) {
      throw new RangeError(
        `query ${j} has norm ${Math.sqrt(n2)}: its cosine similarity is undefined`,
      );
    }
    const inv = 1 / Math.sqrt(n2);
    for (let d = 0; d < cols; d++) q[j * cols + d] = queries[j * cols + d] * inv;
  }
  const tops = Array.from({ length: m }, () => new TopK(k));
  let inv = new Float64Array(0);
  for await (const { start, values } of blocks) {
    if (values.length % cols !== 0) {
      throw new RangeError(`block at row ${start} holds ${values.length} values, not whole rows`);
    }
    const rows = values.length / cols;
    const keep = (j: number, r: number, score: number) => {
      if (r + start === exclude[j]) return;
      if (score >= tops[j].threshold) tops[j].offer(score, start + r);
      else if (score !== score) {
        throw new RangeError(`row ${start + r} holds NaN or infinite values`);
      }
    };
    if (inv.length < rows) inv = new Float64Array(rows);
    // Tiles of rows that stay in cache while every query is scored against them; queries four
    // at a time, so each value read serves four products.
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let r = r0; r < r1; r++) {
        const o = r * cols;
        let n0 = 0, n1 = 0;
        let d = 0;
        for (; d + 1 < cols; d += 2) {
          n0 += values[o + d] * values[o + d];
          n1 += values[o + d + 1] * values[o + d + 1];
        }
        if (d < cols) n0 += values[o + d] * values[o + d];
        const n2 = n0 + n1;
        inv[r] = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
      }
      let j = 0;
      for (; j + 3 < m; j += 4) {
        const q0 = j * cols, q1 = q0 + cols, q2 = q1 + cols, q3 = q2 + cols;
        for (let r = r0; r < r1; r++) {
          const o = r * cols;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let d = 0; d < cols; d++) {
            const x = values[o + d];
            s0 += x * q[q0 + d];
            s1 += x * q[q1 + d];
            s2 += x * q[q2 + d];
            s3 += x * q[q3 + d];
          }
          keep(j, r, s0 * inv[r]);
          keep(j + 1, r, s1 * inv[r]);
          keep(j + 2, r, s2 * inv[r]);
          keep(j + 3, r, s3 * inv[r]);
        }
      }
      for (; j < m; j++) {
        const qo = j * cols;
        for (let r = r0; r < r1; r++) {
          const o = r * cols;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let d = 0;
          for (; d + 3 < cols; d += 4) {
            s0 += values[o + d] * q[qo + d];
            s1 += values[o + d + 1] * q[qo + d + 1];
            s2 += values[o + d + 2] * q[qo + d + 2];
            s3 += values[o + d + 3] * q[qo + d + 3];
          }
          for (; d < cols; d++) s0 += values[o + d] * q[qo + d];
          keep(j, r, (s0 + s1 + s2 + s3) * inv[r]);
        }
      }
    }
  }
  return tops.map((t) => t.sorted());
}
