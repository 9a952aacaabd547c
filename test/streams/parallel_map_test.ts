import assert from "node:assert/strict";
import { parallelMap } from "../../src/streams/parallel_map.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";
import { Telemetry } from "../../src/streams/telemetry.ts";

const mappers = new URL("./fixtures/mappers.ts", import.meta.url);

function items(n: number) {
  return Array.from({ length: n }, (_, seq) => ({
    key: `item-${seq}`,
    seq,
    data: Float64Array.from({ length: 4 }, (_, i) => seq + i / 4),
  }));
}

Deno.test("parallelMap keeps input order with 3 workers and uneven delays", async () => {
  const input = items(40);
  const expected = input.map((it) => Array.from(it.data, (x) => x * x + 1));
  const telemetry = new Telemetry();
  const out = await collect(
    fromIterable(input).pipeThrough(
      parallelMap<typeof input[0], { key: string; seq: number; data: Float64Array }>(mappers, {
        workers: 3,
        inFlight: 6,
        init: { add: 1, jitterMs: 5 },
        telemetry,
        name: "square",
      }),
    ),
  );
  assert.deepEqual(out.map((o) => o.seq), input.map((_, i) => i));
  assert.deepEqual(out.map((o) => Array.from(o.data)), expected);
  const [s] = telemetry.snapshot();
  assert.equal(s.name, "square");
  assert.equal(s.itemsIn, 40);
  assert.equal(s.itemsOut, 40);
});

Deno.test("parallelMap gives the same output for 1 and 2 workers", async () => {
  const run = (workers: number) =>
    collect(
      fromIterable(items(25)).pipeThrough(
        parallelMap<ReturnType<typeof items>[0], { data: Float64Array }>(mappers, {
          workers,
          init: { add: 0.5, jitterMs: 3 },
        }),
      ),
    ).then((o) => o.map((x) => Array.from(x.data)));
  assert.deepEqual(await run(1), await run(2));
});

Deno.test("parallelMap transfers input and output buffers instead of copying", async () => {
  const data = new Uint8Array(1 << 16).fill(7);
  const out = await collect(
    fromIterable([{ data }]).pipeThrough(
      parallelMap<{ data: Uint8Array }, { bytes: number; data: Uint8Array }>(mappers, {
        workers: 1,
        exportName: "createEcho",
      }),
    ),
  );
  assert.equal(data.byteLength, 0, "the sender's buffer is detached: it was transferred");
  assert.equal(out[0].bytes, 1 << 16);
  assert.equal(out[0].data[100], 7);

  const kept = new Uint8Array(8).fill(3);
  await collect(
    fromIterable([{ data: kept }]).pipeThrough(
      parallelMap(mappers, { workers: 1, exportName: "createEcho", transfer: "none" }),
    ),
  );
  assert.equal(kept.byteLength, 8, "transfer: none copies");
});

async function failure(exportName: string, extra: Record<string, unknown> = {}): Promise<Error> {
  const input = Array.from({ length: 12 }, (_, seq) => ({ key: `img-${seq}.png`, seq }));
  const stream = fromIterable(input).pipeThrough(
    parallelMap(mappers, { workers: 2, exportName, init: { bad: 5 }, ...extra }),
  );
  try {
    await collect(stream);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the stream to fail");
}

Deno.test("a mapper that throws errors the stream naming the item", async () => {
  const e = await failure("createThrower");
  assert.match(
    e.message,
    /item "img-5.png" \(#5\) failed on worker \d: Error: bad pixel in img-5.png/,
  );
});

Deno.test("a worker that dies errors the stream naming the item, no hang", async () => {
  const e = await failure("createDier");
  assert.match(e.message, /worker \d died while mapping item "img-5.png" \(#5\)/);
  assert.match(e.message, /worker crashed/);
});

Deno.test("a worker that closes itself errors the stream naming the item", async () => {
  const e = await failure("createCloser");
  assert.match(e.message, /worker \d closed itself while mapping item "img-5.png" \(#5\)/);
});

Deno.test("an item past timeoutMs errors the stream naming it", async () => {
  const e = await failure("createHanger", { timeoutMs: 300 });
  assert.match(e.message, /item "img-5.png" \(#5\) took more than 300 ms/);
});

Deno.test("a factory that throws or is missing names the module", async () => {
  const e = await failure("createBroken");
  assert.match(
    e.message,
    /worker module .*mappers.ts failed to start: Error: missing weights file/,
  );
  const m = await failure("createNothing");
  assert.match(m.message, /failed to start: TypeError: .*has no exported function 'createNothing'/);
});

Deno.test("an item or init that cannot be cloned to a worker is a TypeError naming it", async () => {
  const badItem = fromIterable([{ key: "a", f: () => 1 }]).pipeThrough(
    parallelMap(mappers, { workers: 1, init: { add: 1 } }),
  );
  await assert.rejects(() => collect(badItem), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /item "a" \(#0\) cannot be sent to a worker/);
    return true;
  });
  const badInit = fromIterable(items(1)).pipeThrough(
    parallelMap(mappers, { workers: 1, init: { f: () => 1 } }),
  );
  await assert.rejects(() => collect(badInit), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /init cannot be sent to workers \(not cloneable\)/);
    return true;
  });
});

Deno.test("parallelMap never has more than inFlight items dispatched and not delivered", async () => {
  let produced = 0;
  let consumed = 0;
  let maxAlive = 0;
  const source = new ReadableStream<number>({
    pull(c) {
      if (produced === 60) return c.close();
      c.enqueue(produced++);
    },
  }, { highWaterMark: 0 });
  const out = source.pipeThrough(
    parallelMap<number, number>(mappers, { workers: 2, inFlight: 4, exportName: "createIdentity" }),
  );
  const seen: number[] = [];
  await out.pipeTo(
    new WritableStream({
      async write(x) {
        seen.push(x);
        consumed++;
        maxAlive = Math.max(maxAlive, produced - consumed);
        await new Promise((r) => setTimeout(r, 2));
      },
    }, { highWaterMark: 1 }),
  );
  assert.deepEqual(seen, Array.from({ length: 60 }, (_, i) => i));
  // inFlight (4) + the entry queue (1) + the item the pipe into it holds (1).
  assert.ok(maxAlive <= 6, `max alive ${maxAlive}`);
});

Deno.test("cancelling downstream stops the workers and upstream", async () => {
  let cancelled = false;
  let i = 0;
  const source = new ReadableStream<number>({
    pull(c) {
      c.enqueue(i++);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(
    parallelMap<number, number>(mappers, { workers: 2, exportName: "createIdentity" }),
  ).getReader();
  assert.deepEqual(await reader.read(), { value: 0, done: false });
  assert.deepEqual(await reader.read(), { value: 1, done: false });
  await reader.cancel("enough");
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(cancelled);
});
