import assert from "node:assert/strict";
import { map } from "../../src/streams/map.ts";
import { prefetch } from "../../src/streams/prefetch.ts";
import { formatSummary } from "../../src/streams/_summary.ts";
import { Telemetry } from "../../src/streams/telemetry.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

Deno.test("a slow source shows as starved time, a slow sink as backpressured time", async () => {
  const telemetry = new Telemetry();
  let i = 0;
  const slowSource = new ReadableStream<number>({
    async pull(c) {
      await sleep(15);
      if (i === 5) c.close();
      else c.enqueue(i++);
    },
  }, { highWaterMark: 0 });
  await slowSource.pipeThrough(map((x: number) => x, { telemetry, name: "fast" })).pipeTo(
    new WritableStream(),
  );
  let j = 0;
  const fastSource = new ReadableStream<number>({
    pull: (c) => (j === 5 ? c.close() : c.enqueue(j++)),
  }, { highWaterMark: 0 });
  await fastSource.pipeThrough(prefetch(1, { telemetry, name: "queue" })).pipeTo(
    new WritableStream({ write: () => sleep(15) }, { highWaterMark: 1 }),
  );
  const [fast, queue] = telemetry.snapshot();
  assert.equal(fast.itemsIn, 5);
  assert.equal(fast.itemsOut, 5);
  assert.ok(fast.starvedMs >= 60, `starved ${fast.starvedMs}`);
  assert.ok(fast.backpressuredMs < 20, `bp ${fast.backpressuredMs}`);
  assert.ok(queue.backpressuredMs >= 40, `bp ${queue.backpressuredMs}`);
  assert.ok(queue.starvedMs < 20, `starved ${queue.starvedMs}`);
  const line = telemetry.summary();
  assert.match(line, /^fast 5 [\d.]+\/s starved \d+% bp \d+% \| queue 5 [\d.]+\/s starved/);
});

Deno.test("repeated names get suffixes; an empty pipeline says so", () => {
  const t = new Telemetry();
  t.stage("decode");
  assert.equal(t.stage("decode").name, "decode#2");
  assert.equal(formatSummary([]), "(no stages)");
  assert.equal(
    formatSummary([{
      name: "a",
      itemsIn: 10,
      itemsOut: 2000,
      starvedMs: 250,
      backpressuredMs: 500,
      elapsedMs: 1000,
      itemsPerSecond: 2000,
    }]),
    "a 2000 2.0k/s starved 25% bp 50%",
  );
});
