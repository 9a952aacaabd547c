/** Small test images shared by the augment tests. */
import type { RawImage } from "../../src/data/sample.ts";
import { rngFor } from "../../src/streams/rng.ts";

/** A RawImage with the given bytes. */
export function raw(width: number, height: number, channels: 1 | 3, values: number[]): RawImage {
  return { key: "test", width, height, channels, data: Uint8Array.from(values) };
}

/** Random bytes from a fixed seed. */
export function noise(width: number, height: number, channels: 1 | 3, seed = 1): RawImage {
  const r = rngFor(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = r.int(256);
  return { key: `noise-${seed}`, width, height, channels, data };
}

/** Asserts |a[i] - b[i]| <= tol for all i. */
export function assertClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol = 1e-6,
  what = "values",
): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol)) {
      throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]} (tolerance ${tol})`);
    }
  }
}
