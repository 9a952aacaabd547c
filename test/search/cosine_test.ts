import assert from "node:assert/strict";
import { cosineNeighbors, type RowBlock } from "../../src/search/cosine.ts";
import { TopK } from "../../src/search/_top_k.ts";

/** Reproducible values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Brute force: every similarity in double precision, sorted (similarity desc, row asc). */
function bruteForce(x: Float32Array, cols: number, q: Float32Array, k: number, exclude = -1) {
  const rows = x.length / cols;
  const all: { id: number; score: number }[] = [];
  let qq = 0;
  for (let d = 0; d < cols; d++) qq += q[d] * q[d];
  for (let r = 0; r < rows; r++) {
    if (r === exclude) continue;
    let dot = 0, xx = 0;
    for (let d = 0; d < cols; d++) {
      dot += x[r * cols + d] * q[d];
      xx += x[r * cols + d] ** 2;
    }
    all.push({ id: r, score: xx === 0 ? 0 : dot / Math.sqrt(xx * qq) });
  }
  return all.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

function blocksOf(x: Float32Array, cols: number, rowsPerBlock: number): RowBlock[] {
  const out: RowBlock[] = [];
  for (let s = 0; s * cols < x.length; s += rowsPerBlock) {
    out.push({
      start: s,
      values: x.subarray(s * cols, Math.min(x.length, (s + rowsPerBlock) * cols)),
    });
  }
  return out;
}

Deno.test("TopK keeps the k best, ties to the lower id, whatever the order offered", () => {
  const pairs = [[0.5, 7], [0.9, 3], [0.1, 1], [0.9, 2], [0.5, 4], [-1, 0], [0.7, 9]];
  for (const order of [pairs, [...pairs].reverse()]) {
    const top = new TopK(4);
    for (const [s, id] of order) top.offer(s, id);
    assert.deepEqual(top.sorted().map((h) => h.id), [2, 3, 9, 4]);
  }
  assert.throws(() => new TopK(0), RangeError);
  assert.throws(() => new TopK(2).offer(NaN, 1), RangeError);
});

Deno.test("cosine search equals a brute-force computation (1, 4 and 7 queries, any blocking)", async () => {
  const cols = 37, rows = 1000;
  const x = values(rows * cols, 1);
  x.fill(0, 5 * cols, 6 * cols); // a zero row: similarity 0
  x.set(x.subarray(10 * cols, 11 * cols), 20 * cols); // a duplicate: tie broken by row
  for (const m of [1, 4, 7]) {
    const q = values(m * cols, 100 + m);
    q.set(x.subarray(10 * cols, 11 * cols), 0); // query 0 is row 10 (and 20)
    const exclude = Array.from({ length: m }, (_, j) => (j === 0 ? 10 : -1));
    for (const block of [1000, 333, 64]) {
      const got = await cosineNeighbors(blocksOf(x, cols, block), cols, q, { k: 15, exclude });
      for (let j = 0; j < m; j++) {
        const want = bruteForce(x, cols, q.subarray(j * cols, (j + 1) * cols), 15, exclude[j]);
        assert.deepEqual(
          got[j].map((h) => h.id),
          want.map((h) => h.id),
          `query ${j}, block ${block}`,
        );
        for (let i = 0; i < want.length; i++) {
          assert.ok(
            Math.abs(got[j][i].score - want[i].score) < 1e-12,
            `${got[j][i].score} vs ${want[i].score}`,
          );
        }
      }
      assert.equal(got[0][0].id, 20); // the duplicate of the excluded query row
      assert.ok(Math.abs(got[0][0].score - 1) < 1e-12);
    }
  }
});

Deno.test("cosine search: k above the row count, bad inputs fail loudly", async () => {
  const x = Float32Array.of(1, 0, 0, 1, 1, 1);
  const [hits] = await cosineNeighbors([{ start: 0, values: x }], 2, Float32Array.of(1, 0), {
    k: 10,
  });
  assert.deepEqual(hits.map((h) => h.id), [0, 2, 1]);
  assert.ok(Math.abs(hits[1].score - Math.SQRT1_2) < 1e-12);
  await assert.rejects(
    () => cosineNeighbors([{ start: 0, values: x }], 2, Float32Array.of(0, 0)),
    /norm 0/,
  );
  await assert.rejects(
    () =>
      cosineNeighbors([{ start: 0, values: Float32Array.of(1, NaN) }], 2, Float32Array.of(1, 1)),
    /row 0 holds NaN/,
  );
  await assert.rejects(() => cosineNeighbors([], 2, Float32Array.of(1, 0, 1)), /whole rows/);
});
