import assert from "node:assert/strict";
import { batch } from "../../src/streams/batch.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test("batch groups items and keeps or drops the short tail", async () => {
  assert.deepEqual(await collect(fromIterable(range(7)).pipeThrough(batch(3))), [
    [0, 1, 2],
    [3, 4, 5],
    [6],
  ]);
  assert.deepEqual(
    await collect(fromIterable(range(7)).pipeThrough(batch(3, { dropLast: true }))),
    [[0, 1, 2], [3, 4, 5]],
  );
  assert.deepEqual(await collect(fromIterable(range(6)).pipeThrough(batch(3))), [[0, 1, 2], [
    3,
    4,
    5,
  ]]);
  assert.deepEqual(await collect(fromIterable([]).pipeThrough(batch(3))), []);
  assert.throws(() => batch(0), /positive integer/);
});
