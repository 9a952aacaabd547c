import assert from "node:assert/strict";
import { allReduceGradients, FlatPacker, SingleCommunicator } from "../../src/distributed/mod.ts";

Deno.test("FlatPacker lays names out sorted and round-trips", () => {
  const grads = new Map([
    ["z/w", new Float32Array([1, 2, 3])],
    ["a/b", new Float32Array([4])],
    ["m/gamma", new Float32Array([5, 6])],
  ]);
  const p = new FlatPacker(grads);
  assert.deepEqual(p.slots.map((s) => [s.name, s.offset, s.length]), [
    ["a/b", 0, 1],
    ["m/gamma", 1, 2],
    ["z/w", 3, 3],
  ]);
  assert.equal(p.length, 6);
  assert.deepEqual([...p.pack(grads)], [4, 5, 6, 1, 2, 3]);
  const views = p.unpack();
  assert.deepEqual([...views.keys()], ["a/b", "m/gamma", "z/w"]);
  assert.deepEqual([...views.get("z/w")!], [1, 2, 3]);
  // views share the buffer: no copies
  p.view("m/gamma")[1] = 60;
  assert.equal(p.buffer[2], 60);
  assert.equal(views.get("m/gamma")![1], 60);
  const back = {
    "a/b": new Float32Array(1),
    "m/gamma": new Float32Array(2),
    "z/w": new Float32Array(3),
  };
  p.unpackInto(back);
  assert.deepEqual([...back["m/gamma"]], [5, 60]);
});

Deno.test("FlatPacker from sizes, and its errors", () => {
  const p = new FlatPacker({ b: 2, a: 1 });
  assert.equal(p.length, 3);
  assert.throws(() => p.pack({ a: new Float32Array(1) }), /expected 2 arrays, got 1/);
  assert.throws(
    () => p.pack({ a: new Float32Array(1), b: new Float32Array(3) }),
    /'b' has 3 elements, expected 2/,
  );
  assert.throws(
    () => p.pack({ a: new Float32Array(1), c: new Float32Array(2) }),
    /no parameter 'c'/,
  );
});

Deno.test("allReduceGradients on one process leaves the gradients as they are", async () => {
  const comm = new SingleCommunicator({ listenForStop: false });
  const grads = { w: new Float32Array([1, 2]), b: new Float32Array([3]) };
  await allReduceGradients(comm, grads, "mean");
  assert.deepEqual([...grads.w], [1, 2]);
  assert.deepEqual([...grads.b], [3]);
  await comm.close();
});
