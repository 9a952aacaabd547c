import assert from "node:assert/strict";
import { transferables } from "../../src/streams/_transfer.ts";

Deno.test("transferables finds each buffer once, through objects, arrays and maps", () => {
  const a = new Float32Array(4);
  const b = new Uint8Array(8);
  const raw = new ArrayBuffer(2);
  const value = {
    a,
    again: new Uint8Array(a.buffer),
    list: [b, { raw }],
    map: new Map([["x", new DataView(b.buffer)]]),
    n: 3,
    s: "x",
  };
  const found = transferables(value);
  assert.equal(found.length, 3);
  assert.ok(found.includes(a.buffer as ArrayBuffer));
  assert.ok(found.includes(b.buffer as ArrayBuffer));
  assert.ok(found.includes(raw));
});

Deno.test("transferables skips shared, resizable and class-held buffers", () => {
  class Holder {
    data = new Uint8Array(4);
  }
  const shared = new Uint8Array(new SharedArrayBuffer(4));
  const resizable = new ArrayBuffer(4, { maxByteLength: 8 });
  assert.deepEqual(transferables({ shared, resizable, h: new Holder() }), []);
  const cyclic: Record<string, unknown> = { d: new Uint8Array(1) };
  cyclic.self = cyclic;
  assert.equal(transferables(cyclic).length, 1);
});
