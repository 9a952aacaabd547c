/** Paired views through the pipeline's worker pool: same pairs whatever the worker count. */
import assert from "node:assert/strict";
import type { ViewPair } from "../../src/augment/view_pair.ts";
import { parallelMap } from "../../src/streams/parallel_map.ts";
import { noise } from "./_images.ts";

async function run(workers: number): Promise<ViewPair[]> {
  const items = Array.from(
    { length: 6 },
    (_, i) => ({ ...noise(32, 32, 3, i), epoch: 1, index: 10 + i }),
  );
  const pool = parallelMap<(typeof items)[number], ViewPair>(
    new URL("../../src/augment/worker.ts", import.meta.url),
    { workers, init: { preset: "simclr-cifar", seed: 3 } },
  );
  const out: ViewPair[] = [];
  const done = ReadableStream.from(items).pipeTo(pool.writable);
  for await (const p of pool.readable) out.push(p);
  await done;
  return out;
}

Deno.test("src/augment/worker.ts in parallelMap: 1 and 2 workers give identical pairs", async () => {
  const [one, two] = [await run(1), await run(2)];
  assert.equal(one.length, 6);
  assert.deepEqual(one.map((p) => p.index), [10, 11, 12, 13, 14, 15]);
  for (let i = 0; i < 6; i++) {
    assert.deepEqual(two[i].view1, one[i].view1);
    assert.deepEqual(two[i].view2, one[i].view2);
  }
});
