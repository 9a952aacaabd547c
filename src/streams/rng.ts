/**
 * A small seeded random number generator (xoshiro128**, seeded through splitmix32) for
 * shuffles and epoch orders. Same keys, same sequence, on every platform.
 */

/**
 * Mixes one 32-bit word (splitmix32's finalizer).
 *
 * @example
 * ```ts
 * const h = mix32(12345); // a well-mixed 32-bit word
 * ```
 */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Hashes a list of integer keys (e.g. `seed, epoch, index`) into one 32-bit seed.
 * Keys are taken modulo 2^32 on their low and high halves, so any safe integer works.
 *
 * @example
 * ```ts
 * const s = hashKeys(42, 3); // seed for epoch 3 of run 42
 * ```
 */
export function hashKeys(...keys: number[]): number {
  let h = 0x6a09e667;
  for (const k of keys) {
    const lo = k >>> 0;
    const hi = Math.floor(k / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32(h ^ hi ^ 0x5bd1e995);
  }
  return h;
}

/**
 * Seeded generator (xoshiro128**). Construct it from one or more integer keys.
 *
 * @example
 * ```ts
 * const rng = new Rng(42, 0);
 * const die = rng.int(6) + 1;
 * const u = rng.next(); // [0, 1)
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  constructor(...keys: number[]) {
    let x = hashKeys(...keys);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      return mix32(x);
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * A generator with an explicit xoshiro128** state (for tests and for saving/restoring).
   *
   * @example
   * ```ts
   * const rng = Rng.fromState([1, 2, 3, 4]);
   * ```
   */
  static fromState(state: readonly [number, number, number, number]): Rng {
    const rng = new Rng(0);
    [rng.#s0, rng.#s1, rng.#s2, rng.#s3] = state.map((v) => v | 0);
    return rng;
  }

  /** The current state, for `Rng.fromState`. */
  get state(): [number, number, number, number] {
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
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
