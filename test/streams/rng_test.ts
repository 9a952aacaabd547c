import assert from "node:assert/strict";
import { hashKeys, Rng } from "../../src/streams/rng.ts";

/** xoshiro128** written independently with BigInt arithmetic. */
function reference(state: bigint[], n: number): number[] {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const s = [...state];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

Deno.test("Rng follows xoshiro128** exactly", () => {
  for (const st of [[1, 2, 3, 4], [0xdeadbeef, 0x12345678, 0xffffffff, 7]]) {
    const rng = Rng.fromState(st as [number, number, number, number]);
    const got = Array.from({ length: 50 }, () => rng.nextUint32());
    assert.deepEqual(got, reference(st.map(BigInt), 50));
  }
});

Deno.test("Rng is deterministic by keys and differs across keys", () => {
  const a = new Rng(42, 1), b = new Rng(42, 1), c = new Rng(42, 2), d = new Rng(43, 1);
  const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
  const da = draw(a);
  assert.deepEqual(da, draw(b));
  assert.notDeepEqual(da, draw(c));
  assert.notDeepEqual(da, draw(d));
  assert.notEqual(hashKeys(1, 2), hashKeys(2, 1));
  assert.notEqual(hashKeys(2 ** 32), hashKeys(0), "high halves of keys count");
});

Deno.test("Rng.int and next are uniform (chi-square) and in range", () => {
  const rng = new Rng(7);
  const k = 10, n = 20000;
  const counts = new Array(k).fill(0);
  for (let i = 0; i < n; i++) counts[rng.int(k)]++;
  const chi = counts.reduce((s, c) => s + (c - n / k) ** 2 / (n / k), 0);
  assert.ok(chi < 27.9, `chi-square ${chi} (df 9, p=0.001 at 27.9)`);
  for (let i = 0; i < 1000; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
  }
  assert.throws(() => rng.int(0), /1..2\^32/);
});

Deno.test("Rng.shuffle gives a permutation", () => {
  const a = Array.from({ length: 100 }, (_, i) => i);
  const s = new Rng(3).shuffle([...a]);
  assert.notDeepEqual(s, a);
  assert.deepEqual([...s].sort((x, y) => x - y), a);
});
