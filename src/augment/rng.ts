/**
 * Seeded pseudo-random numbers for augmentation. A generator is keyed by
 * `(seed, epoch, sample index)`, so the views of a sample never depend on which worker draws them.
 */

/** Murmur3's 32-bit finalizer: a bijective mix of all input bits. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Small fast generator (sfc32, 128-bit state); `next()` is uniform in [0, 1).
 *
 * @example
 * ```ts
 * const rng = rngFor(1, 0, 0);
 * const sigma = rng.uniform(0.1, 2); // and rng.int(n), rng.chance(p), rng.permutation(n)
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
 * The generator of one sample in one epoch: a pure function of `(seed, epoch, index)`.
 *
 * @example
 * ```ts
 * const a = rngFor(42, 0, 7).next();
 * console.assert(a === rngFor(42, 0, 7).next());
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
  for (const w of words) h = mix32((h ^ w) + 0x9e3779b9);
  return new AugmentRng(mix32(h ^ 0x13198a2e), mix32(h ^ 0x03707344), mix32(h ^ 0xa4093822), h);
}
