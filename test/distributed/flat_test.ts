import assert from "node:assert/strict";
import { FlatPacker } from "../../src/distributed/flat.ts";

Deno.test("FlatPacker lays names out sorted; views share its one buffer", () => {
  const p = new FlatPacker(new Map([["z/w", 3], ["a/b", 1], ["m/gamma", 2]]));
  assert.deepEqual(p.slots.map((s) => [s.name, s.offset, s.length]), [
    ["a/b", 0, 1],
    ["m/gamma", 1, 2],
    ["z/w", 3, 3],
  ]);
  assert.equal(p.length, 6);
  assert.equal(p.buffer.length, 6);
  p.view("z/w").set([1, 2, 3]);
  p.view("a/b")[0] = 4;
  p.view("m/gamma").set([5, 6]);
  assert.deepEqual([...p.buffer], [4, 5, 6, 1, 2, 3]);
  // views share the buffer: what the all-reduce writes there is what they read
  p.buffer[2] = 60;
  assert.deepEqual([...p.view("m/gamma")], [5, 60]);
});

Deno.test("FlatPacker from a record of sizes; an unknown name is named", () => {
  const p = new FlatPacker({ b: 2, a: 1 });
  assert.equal(p.length, 3);
  assert.deepEqual(p.slots.map((s) => s.name), ["a", "b"]);
  assert.throws(() => p.view("c"), /flat buffer has no parameter 'c'/);
});
