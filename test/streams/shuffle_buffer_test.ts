import assert from "node:assert/strict";
import { shuffleBuffer } from "../../src/streams/shuffle_buffer.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const run = (n: number, size: number, seed: number) =>
  collect(fromIterable(range(n)).pipeThrough(shuffleBuffer<number>(size, seed)));

Deno.test("shuffleBuffer outputs a permutation, fixed by the seed", async () => {
  const a = await run(200, 16, 1);
  assert.deepEqual([...a].sort((x, y) => x - y), range(200));
  assert.notDeepEqual(a, range(200));
  assert.deepEqual(await run(200, 16, 1), a);
  assert.notDeepEqual(await run(200, 16, 2), a);
  assert.deepEqual(await run(50, 1, 3), range(50), "size 1 keeps the order");
});

Deno.test("shuffleBuffer moves an item at most size-1 places earlier", async () => {
  // Item k can only be emitted once it has been read, i.e. at output position >= k - (size - 1).
  const size = 8;
  const out = await run(300, size, 5);
  out.forEach((k, pos) => assert.ok(pos >= k - (size - 1), `item ${k} at ${pos}`));
});

Deno.test("shuffleBuffer as large as the stream is a uniform shuffle", async () => {
  // First output over many seeds: each of 5 values about 1/5 of the time.
  const counts = new Array(5).fill(0);
  for (let s = 0; s < 500; s++) counts[(await run(5, 5, s))[0]]++;
  for (const c of counts) assert.ok(c > 60 && c < 140, `counts ${counts}`);
});
