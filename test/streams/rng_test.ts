import assert from "node:assert/strict";
import { hashKeys, hashString, mix32 } from "../../src/streams/_hash.ts";
import { Rng, rngFor } from "../../src/streams/rng.ts";

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

// Every seeded stream as the three generators of commit 84e61b4 (src/streams/rng.ts `Rng`,
// src/model/rng.ts `SeededRng`, src/augment/rng.ts `rngFor`) produced it, before they became
// one module: epoch orders, weight initialization and augmentation must not change by a bit
// (bitwise resume and the views of a sample depend on it).
Deno.test("every seeded stream is bit-identical to the three generators it replaced", () => {
  assert.deepEqual([0, 1, 12345, -7].map(mix32), [2462723854, 2527132011, 1200724404, 2789948889]);
  assert.deepEqual(
    [hashKeys(42, 3), hashKeys(0), hashKeys(2 ** 40 + 5, 1, 2)],
    [832147709, 1831725027, 2113221864],
  );
  const r = new Rng(42, 3);
  assert.deepEqual(
    Array.from({ length: 4 }, () => r.nextUint32()),
    [3344772763, 1443562364, 738667154, 1209554403],
  );
  assert.deepEqual(
    Array.from({ length: 3 }, () => r.next()),
    [0.801193925683061, 0.6357565155451329, 0.971823082600491],
  );
  assert.deepEqual(Array.from({ length: 4 }, () => r.int(1000)), [181, 262, 501, 33]);
  assert.deepEqual(new Rng(7).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [
    4,
    7,
    1,
    9,
    5,
    2,
    6,
    8,
    3,
    0,
  ]);
  assert.deepEqual(new Rng(9, 9).state, [1278529888, 2010817934, 1943619650, 2071882570]);
  // augmentation (sfc32 keyed by seed, epoch, index)
  const a = rngFor(42, 3, 17);
  assert.deepEqual(
    Array.from({ length: 4 }, () => a.nextUint32()),
    [2308562242, 3337064408, 3052567163, 2326853315],
  );
  assert.deepEqual(
    Array.from({ length: 3 }, () => a.next()),
    [0.7913822226691991, 0.7383596578147262, 0.6238802457228303],
  );
  assert.deepEqual(rngFor(1, 2 ** 33, 5).permutation(8), [2, 7, 6, 4, 5, 1, 3, 0]);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, i) => rngFor(-3, 0, i).chance(0.5)),
    [true, false, true, false, false, false, false, true],
  );
  // weight initialization and synthetic data (seed and stream name)
  assert.deepEqual([hashString(""), hashString("encoder.conv1.weight")], [2166136261, 2738324038]);
  const s = Rng.fromSeed(1234, "batch3");
  assert.deepEqual(
    Array.from({ length: 4 }, () => s.nextUint32()),
    [2628617143, 3423227652, 3467629636, 24040017],
  );
  assert.deepEqual(
    Array.from(Rng.fromSeed(5, "x").fillNormal(new Float32Array(5), 0.5)),
    [
      -0.18637970089912415,
      -0.8300238251686096,
      0.1215803325176239,
      -0.24729998409748077,
      -0.2615165710449219,
    ],
  );
  assert.deepEqual(
    Array.from(Rng.fromSeed(-9).fillUniform(new Float32Array(3), -1, 2)),
    [0.06413764506578445, -0.7135255932807922, -0.9001273512840271],
  );
  assert.deepEqual(Rng.fromSeed(3, "s").state, [2219255969, 189567661, 3707382977, 1409253319]);
});

/** splitmix32 written independently with BigInt arithmetic: `count` outputs from `x`. */
function splitmix32(x: bigint, count: number): bigint[] {
  const M = 0xffffffffn;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    out.push(z ^ (z >> 16n));
  }
  return out;
}

/** FNV-1a, 32 bits, over UTF-16 code units (as the names are ASCII, over bytes). */
function fnv1a(text: string): bigint {
  let h = 0x811c9dc5n;
  for (let i = 0; i < text.length; i++) {
    h = ((h ^ BigInt(text.charCodeAt(i))) * 0x01000193n) & 0xffffffffn;
  }
  return h;
}

Deno.test("Rng.fromSeed: xoshiro128** from splitmix32 of seed ^ FNV-1a(stream)", () => {
  for (
    const [seed, stream] of [[0, ""], [1234, "batch3"], [
      -9,
      "encoder.layer1.0.conv1.weight",
    ]] as const
  ) {
    const x = (BigInt(seed >>> 0) ^ fnv1a(stream)) & 0xffffffffn;
    const state = splitmix32(x, 4);
    const rng = Rng.fromSeed(seed, stream);
    assert.deepEqual(rng.state, state.map(Number));
    assert.deepEqual(Array.from({ length: 20 }, () => rng.nextUint32()), reference(state, 20));
  }
  assert.throws(() => Rng.fromState([1, 2, 3] as never), /Rng.fromState: expected 4 numbers/);
});
