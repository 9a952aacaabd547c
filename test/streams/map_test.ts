import assert from "node:assert/strict";
import { filter, map } from "../../src/streams/map.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";

Deno.test("map and filter", async () => {
  const out = await collect(
    fromIterable([1, 2, 3, 4, 5])
      .pipeThrough(map(async (x: number, i) => {
        await Promise.resolve();
        return x * 10 + i;
      }))
      .pipeThrough(filter((x: number) => x % 20 !== 0)),
  );
  assert.deepEqual(out, [10, 21, 32, 43, 54].filter((x) => x % 20 !== 0));
});

Deno.test("an error in map errors the stream and cancels upstream", async () => {
  let cancelled: unknown;
  const src = new ReadableStream<number>({
    start(c) {
      c.enqueue(1);
      c.enqueue(2);
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  await assert.rejects(
    collect(src.pipeThrough(map((x: number) => {
      if (x === 2) throw new Error("two");
      return x;
    }))),
    /two/,
  );
  await new Promise((r) => setTimeout(r, 0));
  assert.match(String(cancelled), /two/);
});
