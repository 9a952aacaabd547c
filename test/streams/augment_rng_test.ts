import assert from "node:assert/strict";
import { rngFor } from "../../src/streams/rng.ts";

Deno.test("the same key gives the same stream; any change of key changes it", () => {
  const seq = (s: number, e: number, i: number) => {
    const r = rngFor(s, e, i);
    return Array.from({ length: 8 }, () => r.nextUint32());
  };
  assert.deepEqual(seq(1, 2, 3), seq(1, 2, 3));
  const base = seq(1, 2, 3).join();
  for (
    const k of [[2, 2, 3], [1, 3, 3], [1, 2, 4], [3, 2, 1], [1 + 2 ** 32, 2, 3], [
      1,
      2,
      3 + 2 ** 32,
    ]]
  ) {
    assert.notEqual(seq(k[0], k[1], k[2]).join(), base, `key ${k}`);
  }
});

Deno.test("next() is uniform on [0, 1): bucket counts within 5 sigma", () => {
  const r = rngFor(7);
  const n = 100_000, buckets = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]++;
    sum += x;
  }
  const sd = Math.sqrt(n * 0.1 * 0.9);
  for (const b of buckets) assert.ok(Math.abs(b - n / 10) < 5 * sd, `bucket ${b}`);
  assert.ok(Math.abs(sum / n - 0.5) < 0.005);
});

Deno.test("neighbouring indices give uncorrelated first draws", () => {
  let sum = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    sum += (rngFor(0, 0, i).next() - 0.5) * (rngFor(0, 0, i + 1).next() - 0.5);
  }
  assert.ok(Math.abs(sum / n) < 0.004, `covariance ${sum / n}`);
});

Deno.test("int, chance and permutation", () => {
  const r = rngFor(3);
  const counts = new Map<string, number>();
  for (let i = 0; i < 24_000; i++) {
    const p = r.permutation(4).join("");
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  assert.equal(counts.size, 24);
  for (const c of counts.values()) assert.ok(Math.abs(c - 1000) < 160, `count ${c}`);
  let hits = 0;
  for (let i = 0; i < 10_000; i++) hits += r.chance(0.3) ? 1 : 0;
  assert.ok(Math.abs(hits - 3000) < 5 * Math.sqrt(10_000 * 0.21));
  assert.equal(r.chance(0), false);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(5);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 5);
  }
});

Deno.test("bad keys are rejected with the field named", () => {
  assert.throws(() => rngFor(1.5), /seed must be a safe integer, got 1.5/);
  assert.throws(() => rngFor(1, -1), /epoch must be a non-negative safe integer/);
  assert.throws(() => rngFor(1, 0, NaN), /index/);
});
