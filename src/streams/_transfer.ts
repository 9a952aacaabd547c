/**
 * Finding the transfer list of a message: which ArrayBuffers move to the other thread
 * instead of being copied.
 */

/**
 * Every distinct ArrayBuffer reachable from `value` through plain objects, arrays, Maps,
 * Sets, typed arrays and DataViews (not through class instances other than those). The
 * buffers of typed arrays count whole: transferring a `subarray` moves (and detaches) its
 * entire buffer, so a message should hold views that own their buffer (`slice()`, not
 * `subarray()`), or a custom transfer list should be given. SharedArrayBuffers, resizable
 * buffers and detached buffers are left out (they are shared or cannot move).
 *
 * @example The buffers of a message, each once
 * ```ts
 * import assert from "node:assert/strict";
 * import { transferables } from "./_transfer.ts";
 *
 * const data = new Uint8Array(16);
 * const msg = { key: "a", data, again: [data.subarray(4)], weights: new Map([["w", new Float32Array(2)]]) };
 * const found = transferables(msg);
 * assert.equal(found.length, 2);
 * assert.ok(found.includes(data.buffer));
 * structuredClone(msg, { transfer: found }); // as postMessage would: the buffers move
 * assert.equal(data.byteLength, 0); // detached here
 * ```
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number) => {
    if (v === null || typeof v !== "object" || depth > 64) return;
    if (v instanceof ArrayBuffer) return void addBuffer(found, v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) addBuffer(found, v.buffer);
      return;
    }
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k, depth + 1);
        visit(x, depth + 1);
      }
    } else if (v instanceof Set) {
      for (const x of v) visit(x, depth + 1);
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return;
      for (const x of Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(value, 0);
  return [...found];
}

function addBuffer(found: Set<ArrayBuffer>, b: ArrayBuffer): void {
  if (b.byteLength === 0 && b.detached) return;
  if (b.resizable) return;
  found.add(b);
}
