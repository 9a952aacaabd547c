import assert from "node:assert/strict";
import { cifarDataset } from "../../src/data/cifar.ts";
import { DataError } from "../../src/data/errors.ts";
import { cifarRecord, concat, px } from "./fixtures/files.ts";

/** HWC expected from the planar record: pixel p channel c is plane c at p. */
const hwc = (i: number) =>
  Array.from({ length: 3072 }, (_, k) => px(i, (k % 3) * 1024 + Math.floor(k / 3)));

Deno.test("CIFAR-10 batches: records across files, planes to HWC, labels", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/a.bin`, concat([0, 1, 2].map((i) => cifarRecord([i + 3], i))));
  await Deno.writeFile(`${dir}/b.bin`, concat([3, 4].map((i) => cifarRecord([i + 3], i))));
  const ds = await cifarDataset({ files: [`${dir}/a.bin`, `${dir}/b.bin`], variant: 10 });
  assert.equal(ds.length, 5);
  assert.equal(ds.classes![7], "horse");
  for (const i of [4, 0, 2, 3]) {
    const s = await ds.get(i);
    assert.equal(s.key, i < 3 ? `a.bin[${i}]` : `b.bin[${i - 3}]`);
    assert.deepEqual([s.width, s.height, s.channels, s.label], [32, 32, 3, i + 3]);
    assert.deepEqual(Array.from(s.data), hwc(i));
  }
  ds.close?.();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("CIFAR-100: fine or coarse labels", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(
    `${dir}/train.bin`,
    concat([cifarRecord([4, 77], 0), cifarRecord([19, 99], 1)]),
  );
  const fine = await cifarDataset({ files: [`${dir}/train.bin`], variant: 100 });
  const coarse = await cifarDataset({
    files: [`${dir}/train.bin`],
    variant: 100,
    labels: "coarse",
  });
  assert.deepEqual([(await fine.get(0)).label, (await fine.get(1)).label], [77, 99]);
  assert.deepEqual([(await coarse.get(0)).label, (await coarse.get(1)).label], [4, 19]);
  assert.deepEqual(Array.from((await fine.get(1)).data), hwc(1));
  fine.close?.();
  coarse.close?.();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad CIFAR files: sizes, variants and labels name the file", async () => {
  const dir = await Deno.makeTempDir();
  const cut = `${dir}/cut.bin`,
    c100 = `${dir}/c100.bin`,
    bad = `${dir}/bad.bin`,
    empty = `${dir}/e.bin`;
  await Deno.writeFile(cut, cifarRecord([1], 0).slice(0, 3000));
  await Deno.writeFile(
    c100,
    concat([cifarRecord([1, 2], 0), cifarRecord([1, 2], 1), cifarRecord([1, 2], 2)]),
  );
  await Deno.writeFile(bad, concat([cifarRecord([1], 0), cifarRecord([42], 1)]));
  await Deno.writeFile(empty, new Uint8Array(0));
  await assert.rejects(cifarDataset({ files: [cut], variant: 10 }), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.match(
      e.message,
      /cut.bin: size 3000 is not a multiple of the 3073-byte CIFAR-10 record \(truncated/,
    );
    return true;
  });
  await assert.rejects(
    cifarDataset({ files: [c100], variant: 10 }),
    /it fits CIFAR-100 records: wrong variant\?/,
  );
  await assert.rejects(cifarDataset({ files: [empty], variant: 10 }), /e.bin: size 0/);
  await assert.rejects(
    cifarDataset({ files: [`${dir}/none.bin`], variant: 10 }),
    /none.bin: cannot open/,
  );
  const ds = await cifarDataset({ files: [bad], variant: 10 });
  await ds.get(0);
  await assert.rejects(ds.get(1), /bad.bin record 1: label 42 is out of range 0..9 for CIFAR-10/);
  ds.close?.();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a CIFAR dataset can be streamed twice (a finished stream closes, reads reopen)", async () => {
  const { indexedSamples } = await import("../../src/data/indexed.ts");
  const { collect } = await import("../../src/streams/stage.ts");
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/a.bin`, concat([0, 1, 2].map((i) => cifarRecord([i], i))));
  const ds = await cifarDataset({ files: [`${dir}/a.bin`], variant: 10 });
  const first = await collect(indexedSamples(ds, { seed: 1, epochs: 1 }));
  const second = await collect(indexedSamples(ds, { seed: 1, epochs: 1 }));
  assert.deepEqual(second.map((s) => s.label), first.map((s) => s.label));
  assert.deepEqual(first.map((s) => s.label), first.map((s) => s.index));
  ds.close?.();
  await Deno.remove(dir, { recursive: true });
});
