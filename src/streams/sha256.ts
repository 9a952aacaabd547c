/** SHA-256 digests as lowercase hex: checkpoint checksums, weight and config hashes. */

/**
 * Bytes as lowercase hex, two digits per byte.
 *
 * @example Three bytes
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./sha256.ts";
 *
 * assert.equal(toHex(Uint8Array.of(0, 15, 255)), "000fff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 of `bytes`, as 64 lowercase hex digits.
 *
 * @example The FIPS 180-2 test vector "abc"
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./sha256.ts";
 *
 * assert.equal(
 *   await sha256Hex(new TextEncoder().encode("abc")),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}
