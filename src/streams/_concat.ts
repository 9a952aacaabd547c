/** Joining typed arrays end to end. */

/** The arrays of `parts`, one after another, in a new array made by `ctor`. */
export function concatArrays<T extends Uint8Array | Int32Array | Float32Array>(
  parts: T[],
  ctor: { new (n: number): T },
): T {
  const out = new ctor(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
