import assert from "node:assert/strict";
import { decodeImages, parallelDecode } from "../../src/data/decode_stage.ts";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { imageFolder } from "../../src/data/image_folder.ts";
import { type IndexedSample, indexedSamples } from "../../src/data/indexed.ts";
import { epochPermutation } from "../../src/streams/epochs.ts";
import { collect } from "../../src/streams/stage.ts";
import { encodePng, pattern } from "./fixtures/png.ts";

/** 8 good 4x3 PNGs in two classes, plus (optionally) 4 broken files. */
async function folder(broken: boolean): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/a`);
  await Deno.mkdir(`${root}/b`);
  for (let i = 0; i < 8; i++) {
    const png = await encodePng({ width: 4, height: 3, colorType: 2, samples: pattern(36, i) });
    await Deno.writeFile(`${root}/${i % 2 ? "b" : "a"}/img${i}.png`, png);
  }
  if (broken) {
    const png = await encodePng({ width: 4, height: 3, colorType: 2, samples: pattern(36, 99) });
    await Deno.writeFile(`${root}/a/empty.png`, new Uint8Array(0));
    await Deno.writeFile(`${root}/a/cut.png`, png.slice(0, png.length - 30));
    await Deno.writeFile(`${root}/b/fake.jpg`, new TextEncoder().encode("<html>not found</html>"));
    const corrupt = png.slice();
    corrupt.fill(0, 45, 60);
    await Deno.writeFile(`${root}/b/corrupt.png`, corrupt);
  }
  return root;
}

const seq = (n: number) => pattern(36, n);

Deno.test("parallel decode in epoch order: same output for 1 and 2 workers and on this thread", async () => {
  const root = await folder(false);
  const ds = await imageFolder(root);
  const run = async (workers: number | undefined) => {
    const samples = indexedSamples(ds, { seed: 7, epochs: 2 });
    const stage = workers === undefined
      ? decodeImages<IndexedSample>()
      : parallelDecode<IndexedSample>({ workers, inFlight: 3 });
    return await collect(samples.pipeThrough(stage));
  };
  const one = await run(1);
  assert.equal(one.length, 16);
  const expectedOrder = [...epochPermutation(8, 7, 0), ...epochPermutation(8, 7, 1)];
  assert.deepEqual(one.map((s) => s.index), expectedOrder);
  for (const s of one) {
    const n = Number(s.key.match(/img(\d)\.png$/)![1]);
    assert.equal(ds.files[s.index], s.key);
    assert.equal(s.label, n % 2);
    assert.deepEqual(Array.from(s.data), Array.from(seq(n)));
    assert.deepEqual([s.width, s.height, s.channels], [4, 3, 3]);
  }
  const strip = (xs: typeof one) => xs.map((s) => ({ ...s, data: Array.from(s.data) }));
  assert.deepEqual(strip(await run(2)), strip(one));
  assert.deepEqual(strip(await run(undefined)), strip(one));
  await Deno.remove(root, { recursive: true });
});

Deno.test("onError skip: bad files are dropped, counted and reported per epoch", async () => {
  const root = await folder(true);
  const ds = await imageFolder(root);
  assert.equal(ds.length, 12);
  for (const workers of [undefined, 2]) {
    const reports: SkipReport[] = [];
    const skips = new SkipLog((r) => reports.push(r));
    const stage = workers === undefined
      ? decodeImages({ onError: "skip", skips })
      : parallelDecode({ workers, onError: "skip", skips });
    const out = await collect(
      indexedSamples(ds, { seed: 3, epochs: 2, onError: "skip", skips }).pipeThrough(stage),
    );
    assert.equal(out.length, 16);
    assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 4], [1, 4]]);
    const all = reports[0].examples.join("\n");
    assert.match(all, /a\/empty.png: empty file \(0 bytes\)/);
    assert.match(all, /a\/cut.png: truncated PNG/);
    assert.match(all, /b\/fake.jpg: unsupported image format/);
    assert.match(all, /b\/corrupt.png: cannot decode PNG/);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("onError fail (default): the stream errors naming the bad file", async () => {
  const root = await folder(true);
  await Deno.remove(`${root}/a/empty.png`);
  await Deno.remove(`${root}/a/cut.png`);
  await Deno.remove(`${root}/b/corrupt.png`);
  const ds = await imageFolder(root);
  for (const stage of [decodeImages(), parallelDecode({ workers: 2 })]) {
    await assert.rejects(
      collect(indexedSamples(ds, { seed: 1, epochs: 1 }).pipeThrough(stage)),
      /b\/fake.jpg: unsupported image format/,
    );
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("indexedSamples: read errors skip or fail by policy; an empty dataset names itself", async () => {
  const reports: SkipReport[] = [];
  const flaky = {
    name: "flaky",
    length: 5,
    get(i: number) {
      if (i === 2) return Promise.reject(new Error("flaky[2]: disk error"));
      return Promise.resolve({ key: `k${i}`, bytes: new Uint8Array([i]) });
    },
  };
  const skips = new SkipLog((r) => reports.push(r));
  const got = await collect(
    indexedSamples(flaky, { seed: 0, epochs: 3, shuffle: false, onError: "skip", skips }),
  );
  assert.deepEqual(got.map((s) => s.index), [0, 1, 3, 4, 0, 1, 3, 4, 0, 1, 3, 4]);
  assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 1], [1, 1], [2, 1]]);
  await assert.rejects(
    collect(indexedSamples(flaky, { seed: 0, epochs: 1 })),
    /flaky\[2\]: disk error/,
  );
  assert.throws(
    () =>
      indexedSamples({ name: "/data/none", length: 0, get: () => Promise.reject() }, { seed: 0 }),
    /\/data\/none: the dataset is empty/,
  );
});
