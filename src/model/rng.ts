/**
 * A small seeded random number generator (xoshiro128**) in plain JavaScript, so that weight
 * initialization gives the same numbers on every TensorFlow.js backend.
 */

/** The four 32-bit words of a {@link SeededRng}'s state, as plain numbers (JSON-safe). */
export type RngState = [number, number, number, number];

function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [x, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a hash of a string, used to derive one stream per parameter name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** xoshiro128** seeded from `(seed, stream)`; `state()`/`fromState()` save and restore it. */
export class SeededRng {
  #s: Uint32Array;

  private constructor(words: ArrayLike<number>) {
    this.#s = Uint32Array.from(words);
    if (this.#s.every((w) => w === 0)) this.#s[0] = 1;
  }

  /** A generator for `seed`, optionally one of many independent streams named by `stream`. */
  static fromSeed(seed: number, stream = ""): SeededRng {
    let x = (seed ^ hashString(stream)) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(x);
      x = next;
      words.push(out);
    }
    return new SeededRng(words);
  }

  /** Restores a generator saved with {@link SeededRng.state}. */
  static fromState(state: RngState): SeededRng {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new Error(`SeededRng.fromState: expected 4 numbers, got ${JSON.stringify(state)}`);
    }
    return new SeededRng(state);
  }

  /** The current state (4 unsigned 32-bit integers). */
  state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Fills `out` with normal(0, std) values (Box-Muller, two values per pair of draws). */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i += 2) {
      const u1 = (this.nextUint32() + 1) / 4294967296;
      const u2 = this.next();
      const r = Math.sqrt(-2 * Math.log(u1)) * std;
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** Fills `out` with uniform values in [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
