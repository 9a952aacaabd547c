import assert from "node:assert/strict";
import { datasetSamples } from "../../src/data/samples.ts";
import { epochPermutation } from "../../src/streams/epochs.ts";
import { collect } from "../../src/streams/stage.ts";
import { makeTar } from "./fixtures/tar.ts";

Deno.test("datasetSamples: indexed datasets in epoch order, tar shards through a shuffle buffer", async () => {
  const dataset = {
    name: "mem",
    length: 6,
    get: (i: number) => Promise.resolve({ key: `k${i}`, bytes: Uint8Array.of(i) }),
  };
  const indexed = await collect(
    datasetSamples({ kind: "indexed", dataset }, { seed: 5, epochs: 1 }),
  );
  assert.deepEqual(indexed.map((s) => s.index), Array.from(epochPermutation(6, 5, 0)));

  const dir = await Deno.makeTempDir();
  const entries = Array.from(
    { length: 20 },
    (_, i) => ({ name: `${String(i).padStart(3, "0")}.png`, data: Uint8Array.of(i) }),
  );
  await Deno.writeFile(`${dir}/a.tar`, makeTar(entries.slice(0, 10)));
  await Deno.writeFile(`${dir}/b.tar`, makeTar(entries.slice(10)));
  const opened = { kind: "shards" as const, shards: [`${dir}/a.tar`, `${dir}/b.tar`] };
  const run = () => collect(datasetSamples(opened, { seed: 3, epochs: 2, shuffleBuffer: 8 }));
  const a = await run();
  assert.equal(a.length, 40);
  const values = a.map((s) => (s as { bytes: Uint8Array }).bytes[0]);
  assert.deepEqual([...values].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i >> 1));
  assert.deepEqual((await run()).map((s) => s.key), a.map((s) => s.key), "seeded: the same twice");
  await Deno.remove(dir, { recursive: true });
});
