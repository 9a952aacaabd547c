/**
 * The project's seeded random numbers, in plain JavaScript so every platform and backend gives
 * the same sequence: one xoshiro128** generator ({@link Rng}) for shuffles, epoch orders and
 * weight initialization, seeded from integer keys or from a seed and a stream name; and the
 * per-sample generator of augmentation ({@link AugmentRng}, sfc32), keyed by
 * `(seed, epoch, sample index)` through {@link rngFor}. Every stream is fixed: checkpoints,
 * bitwise resume and the views of a sample depend on it.
 */
import { fmix32, GOLDEN, hashKeys, hashString, mix32 } from "./_hash.ts";

/**
 * The four 32-bit words of an {@link Rng}'s state, as plain numbers (JSON-safe).
 *
 * @example Saving a generator's state and resuming from it
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, type RngState } from "@simclr/streams/streams";
 *
 * const rng = new Rng(42);
 * rng.next();
 * const saved: RngState = JSON.parse(JSON.stringify(rng.state)); // e.g. in a checkpoint
 * const resumed = Rng.fromState(saved);
 * assert.equal(resumed.nextUint32(), rng.nextUint32());
 * ```
 */
export type RngState = [number, number, number, number];

/**
 * Seeded xoshiro128** generator. `new Rng(...keys)` seeds from integer keys (shuffles, epoch
 * orders); `Rng.fromSeed(seed, stream)` from a seed and a stream name (weight initialization,
 * synthetic data). `next()` has 53 random bits; `fillUniform`/`fillNormal` draw 32-bit floats.
 *
 * @param keys Integer keys (any safe integers), hashed into the seed: the same keys give the
 * same sequence on every platform.
 *
 * @example Draws, shuffles and initial weights from seeds
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@simclr/streams/streams";
 *
 * const rng = new Rng(42, 0); // run seed 42, epoch 0
 * const die = rng.int(6) + 1;
 * assert.ok(Number.isInteger(die) && die >= 1 && die <= 6);
 * const u = rng.next();
 * assert.ok(u >= 0 && u < 1);
 * const order = new Rng(42, 0).shuffle([0, 1, 2, 3, 4]);
 * assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
 * assert.deepEqual(order, new Rng(42, 0).shuffle([0, 1, 2, 3, 4])); // same keys, same order
 * const w = Rng.fromSeed(1, "encoder.conv1.weight").fillNormal(new Float32Array(9), 0.1);
 * assert.ok(w.every((x) => Math.abs(x) < 1));
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** Seeds from integer keys (see the class description). */
  constructor(...keys: number[]) {
    // splitmix32 from the hashed keys, its output mixed once more by mix32
    let x = hashKeys(...keys);
    const next = () => {
      x = (x + GOLDEN) | 0;
      return mix32(x);
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    this.#nonZero();
  }

  /**
   * A generator for `seed`, optionally one of many independent streams named by `stream`
   * (plain splitmix32 from `seed ^ hashString(stream)`).
   *
   * @example Independent streams of one seed
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@simclr/streams/streams";
   *
   * assert.equal(Rng.fromSeed(7, "bn").next(), Rng.fromSeed(7, "bn").next());
   * assert.notEqual(Rng.fromSeed(7, "bn").next(), Rng.fromSeed(7, "conv").next());
   * ```
   */
  static fromSeed(seed: number, stream = ""): Rng {
    let x = (seed ^ hashString(stream)) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + GOLDEN) | 0;
      words.push(fmix32(x));
    }
    return Rng.fromState(words as RngState);
  }

  /**
   * A generator with an explicit xoshiro128** state (for tests and for saving/restoring).
   *
   * @example A given state, and a malformed one
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@simclr/streams/streams";
   *
   * assert.deepEqual(Rng.fromState([1, 2, 3, 4]).state, [1, 2, 3, 4]);
   * // deno-lint-ignore no-explicit-any
   * assert.throws(() => Rng.fromState([1, 2] as any), TypeError);
   * ```
   */
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new TypeError(`Rng.fromState: expected 4 numbers, got ${JSON.stringify(state)}`);
    }
    const rng = new Rng(0);
    [rng.#s0, rng.#s1, rng.#s2, rng.#s3] = state.map((v) => v | 0);
    rng.#nonZero();
    return rng;
  }

  /** The current state, for `Rng.fromState`. */
  get state(): RngState {
    return [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0];
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.#s0 = n0 | 0;
    this.#s1 = n1 | 0;
    this.#s2 = n2 | 0;
    this.#s3 = n3 | 0;
    return r;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased; `n` must be in 1..2^32. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int: n must be an integer in 1..2^32, got ${n}`);
    }
    // Rejection sampling on the top of the 32-bit range.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** Fills `out` with uniform values in [lo, hi), one 32-bit draw each. */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * (this.nextUint32() / 4294967296);
    return out;
  }

  /** Fills `out` with normal(0, std) values (Box-Muller, two values per pair of 32-bit draws). */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i += 2) {
      const u1 = (this.nextUint32() + 1) / 4294967296;
      const u2 = this.nextUint32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u1)) * std;
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** xoshiro's state must not be all zeros. */
  #nonZero(): void {
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Small fast generator (sfc32, 128-bit state) that augmentation draws every random choice of a
 * view from; `next()` is uniform in [0, 1) with 32 bits. Build it with {@link rngFor}.
 *
 * @example The random choices of one view
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AugmentRng, rngFor } from "@simclr/streams/streams";
 *
 * const rng: AugmentRng = rngFor(1, 0, 0); // seed 1, epoch 0, sample 0
 * const sigma = rng.uniform(0.1, 2);
 * assert.ok(sigma >= 0.1 && sigma < 2);
 * assert.ok(rng.int(10) < 10);
 * assert.equal(rng.chance(0), false);
 * assert.deepEqual(rng.permutation(4).sort(), [0, 1, 2, 3]);
 * ```
 */
export class AugmentRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Starts from four 32-bit words of state; prefer {@link rngFor}. */
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

function checkKey(name: string, value: number, allowNegative: boolean): void {
  if (!Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
    throw new RangeError(
      `rngFor: ${name} must be a ${allowNegative ? "" : "non-negative "}safe integer, got ${value}`,
    );
  }
}

/**
 * The augmentation generator of one sample in one epoch: a pure function of
 * `(seed, epoch, index)`, so a sample's views never depend on which worker draws them.
 *
 * @param seed The run seed (any safe integer).
 * @param epoch The epoch (a non-negative safe integer, default 0).
 * @param index The sample's global index (a non-negative safe integer, default 0).
 * @throws {RangeError} When a key is not a safe integer, or `epoch`/`index` is negative.
 *
 * @example The same sample in the same epoch draws the same
 * ```ts
 * import assert from "node:assert/strict";
 * import { rngFor } from "@simclr/streams/streams";
 *
 * const a = rngFor(42, 0, 7).next();
 * assert.equal(rngFor(42, 0, 7).next(), a);
 * assert.notEqual(rngFor(42, 1, 7).next(), a); // another epoch, other views
 * assert.throws(() => rngFor(42, -1, 7), RangeError);
 * ```
 */
export function rngFor(seed: number, epoch = 0, index = 0): AugmentRng {
  checkKey("seed", seed, true);
  checkKey("epoch", epoch, false);
  checkKey("index", index, false);
  const words = [
    seed >>> 0,
    Math.floor(seed / 4294967296) >>> 0,
    epoch >>> 0,
    Math.floor(epoch / 4294967296) >>> 0,
    index >>> 0,
    Math.floor(index / 4294967296) >>> 0,
  ];
  let h = 0x243f6a88;
  for (const w of words) h = fmix32((h ^ w) + GOLDEN);
  return new AugmentRng(fmix32(h ^ 0x13198a2e), fmix32(h ^ 0x03707344), fmix32(h ^ 0xa4093822), h);
}
