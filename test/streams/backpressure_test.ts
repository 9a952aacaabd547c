/** With a slow sink, the items alive in a pipeline stay within its configured queues. */
import assert from "node:assert/strict";
import { batch } from "../../src/streams/batch.ts";
import { map } from "../../src/streams/map.ts";
import { prefetch } from "../../src/streams/prefetch.ts";
import { shuffleBuffer } from "../../src/streams/shuffle_buffer.ts";
import { Telemetry } from "../../src/streams/telemetry.ts";

Deno.test("a slow sink bounds the items alive in source -> map -> shuffle -> batch -> prefetch", async () => {
  let produced = 0;
  let consumed = 0;
  let maxAlive = 0;
  const telemetry = new Telemetry();
  const source = new ReadableStream<number>({
    pull(c) {
      if (produced === 400) return c.close();
      c.enqueue(produced++);
      maxAlive = Math.max(maxAlive, produced - consumed);
    },
  }, { highWaterMark: 0 });
  const shuffleSize = 16, batchSize = 4, ahead = 3;
  const out = source
    .pipeThrough(map((x: number) => x, { telemetry }))
    .pipeThrough(shuffleBuffer<number>(shuffleSize, 1, { telemetry }))
    .pipeThrough(batch<number>(batchSize, { telemetry }))
    .pipeThrough(prefetch<number[]>(ahead, { telemetry }));
  let batches = 0;
  await out.pipeTo(
    new WritableStream<number[]>({
      async write(b) {
        batches++;
        await new Promise((r) => setTimeout(r, 1));
        consumed += b.length;
      },
    }, { highWaterMark: 1 }),
  );
  assert.equal(batches, 100);
  // Queues: shuffle 16 + prefetch 3 batches + sink 1 batch + the batch being built (4) ...
  const queued = shuffleSize + (ahead + 1 + 1) * batchSize;
  // ... plus at most 2 items at each of 4 stage entries (pipe in flight + entry queue).
  const bound = queued + 4 * 2 * batchSize;
  assert.ok(maxAlive <= bound, `max alive ${maxAlive} > ${bound}`);
  assert.ok(maxAlive >= shuffleSize, "the shuffle buffer did fill");
  const snap = telemetry.snapshot();
  assert.deepEqual(snap.map((s) => s.name), ["map", "shuffle", "batch", "prefetch"]);
  assert.deepEqual(snap.map((s) => s.itemsOut), [400, 400, 100, 100]);
  const pf = snap[3];
  assert.ok(
    pf.backpressuredMs > pf.starvedMs,
    `a slow sink shows as backpressure: ${telemetry.summary()}`,
  );
});
