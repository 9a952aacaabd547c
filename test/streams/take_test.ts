import assert from "node:assert/strict";
import { take } from "../../src/streams/take.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";

Deno.test("take passes n items and cancels upstream", async () => {
  let cancelled = false;
  let i = 0;
  const endless = new ReadableStream<number>({
    pull: (c) => c.enqueue(i++),
    cancel: () => void (cancelled = true),
  }, { highWaterMark: 0 });
  assert.deepEqual(await collect(endless.pipeThrough(take(4))), [0, 1, 2, 3]);
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(cancelled);
  assert.ok(i <= 6, `read ${i} items for 4`);
  assert.deepEqual(await collect(fromIterable([1, 2]).pipeThrough(take(5))), [1, 2]);
  assert.deepEqual(await collect(fromIterable([1, 2]).pipeThrough(take(0))), []);
});
