import assert from "node:assert/strict";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { openDataset } from "../../src/data/registry.ts";
import { datasetSamples } from "../../src/data/samples.ts";
import { epochPermutation } from "../../src/streams/_epoch_split.ts";
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

Deno.test("data.maxFileBytes reaches tar shards and image folders through openDataset", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(
    `${dir}/s.tar`,
    makeTar([
      { name: "000.png", data: new Uint8Array(100) },
      { name: "001.png", data: new Uint8Array(101) },
      { name: "002.png", data: new Uint8Array(100) },
    ]),
  );
  const shards = await openDataset("tar", { path: `${dir}/s.tar`, maxFileBytes: 100 });
  await assert.rejects(
    collect(datasetSamples(shards, { seed: 0, epochs: 1, shuffleBuffer: 0 })),
    /s\.tar:001\.png: member of 101 bytes \(from its header\) is over the limit of 100 bytes/,
  );
  // Under onError: skip, the rest of that shard is skipped and counted (from sample 000 on:
  // grouping members by key reads one member ahead, as for any broken shard).
  const reports: SkipReport[] = [];
  const got = await collect(datasetSamples(shards, {
    seed: 0,
    epochs: 1,
    shuffleBuffer: 0,
    onError: "skip",
    skips: new SkipLog((r) => reports.push(r)),
  }));
  assert.deepEqual(got, []);
  assert.equal(reports[0].count, 1);
  assert.match(
    reports[0].examples[0],
    /over the limit of 100 bytes.*\(rest of the shard skipped\)/,
  );

  await Deno.mkdir(`${dir}/folder/a`, { recursive: true });
  await Deno.writeFile(`${dir}/folder/a/big.png`, new Uint8Array(101));
  await Deno.writeFile(`${dir}/folder/a/ok.png`, new Uint8Array(100));
  const folder = await openDataset("imagefolder", { path: `${dir}/folder`, maxFileBytes: 100 });
  assert.equal(folder.kind, "indexed");
  if (folder.kind !== "indexed") return;
  await assert.rejects(
    folder.dataset.get(0),
    new RegExp(
      `^DataError: ${dir}/folder/a/big.png: file of 101 bytes is over the limit of 100 bytes ` +
        `\\(data.maxFileBytes\\); refused before reading it`,
    ),
  );
  assert.equal(((await folder.dataset.get(1)) as { bytes: Uint8Array }).bytes.length, 100);
  await Deno.remove(dir, { recursive: true });
});
