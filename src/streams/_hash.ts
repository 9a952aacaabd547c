/**
 * The integer hashes behind the project's seeded generators (private to the package): the
 * 32-bit mixers of splitmix32 and Murmur3, a hash of integer keys into one seed and FNV-1a of a
 * string. Their outputs are fixed: epoch orders, shard orders and weight initialization depend
 * on them.
 */

/** Adds the 32-bit golden ratio (splitmix32's increment). */
export const GOLDEN = 0x9e3779b9;

/**
 * Murmur3's 32-bit finalizer: a bijective mix of all input bits.
 *
 * @example Zero is a fixed point; neighbours land far apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmix32 } from "./_hash.ts";
 *
 * assert.equal(fmix32(0), 0);
 * assert.notEqual(fmix32(1) >>> 16, fmix32(2) >>> 16);
 * ```
 */
export function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Mixes one 32-bit word (splitmix32's output function: the golden increment, then
 * {@link fmix32}).
 *
 * @example The golden increment, then fmix32
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmix32, GOLDEN, mix32 } from "./_hash.ts";
 *
 * assert.equal(mix32(12345), fmix32((12345 + GOLDEN) | 0));
 * ```
 */
export function mix32(x: number): number {
  return fmix32((x + GOLDEN) | 0);
}

/**
 * Hashes a list of integer keys (e.g. `seed, epoch, index`) into one 32-bit seed.
 * Keys are taken modulo 2^32 on their low and high halves, so any safe integer works.
 *
 * @example A seed per (run seed, epoch)
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashKeys } from "./_hash.ts";
 *
 * assert.equal(hashKeys(42, 3), hashKeys(42, 3));
 * assert.notEqual(hashKeys(42, 3), hashKeys(3, 42)); // order matters
 * assert.notEqual(hashKeys(2 ** 32), hashKeys(0)); // high halves count
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
 * FNV-1a hash of a string (e.g. a parameter name, to derive one stream per parameter).
 *
 * @example FNV-1a's published values
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashString } from "./_hash.ts";
 *
 * assert.equal(hashString(""), 0x811c9dc5); // the offset basis
 * assert.equal(hashString("a"), 0xe40c292c);
 * ```
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}
