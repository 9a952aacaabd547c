import assert from "node:assert/strict";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { expandShards, tarSamples } from "../../src/data/shards.ts";
import { SHARD_INDEX_STRIDE, shardsForEpoch } from "../../src/data/_shards.ts";
import { splitMemberName } from "../../src/data/_webdataset.ts";
import { collect } from "../../src/streams/stage.ts";
import { type Entry, makeTar } from "./fixtures/tar.ts";

/** Shard s holds samples s*10+i (i < n): `k.png` (bytes [s, i]) and `k.cls`. */
function shard(s: number, n = 3, extra: Entry[] = []): Uint8Array {
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const key = `s${s}/${String(i).padStart(4, "0")}`;
    entries.push({ name: `${key}.png`, data: Uint8Array.of(s, i) });
    entries.push({ name: `${key}.cls`, data: `${(s + i) % 5}\n` });
    entries.push({ name: `${key}.json`, data: "{}" });
  }
  return makeTar([...entries, ...extra]);
}

async function writeShards(count: number): Promise<{ dir: string; pattern: string }> {
  const dir = await Deno.makeTempDir();
  for (let s = 0; s < count; s++) {
    await Deno.writeFile(`${dir}/part-${String(s).padStart(2, "0")}.tar`, shard(s));
  }
  return { dir, pattern: `${dir}/part-{00..${String(count - 1).padStart(2, "0")}}.tar` };
}

Deno.test("expandShards and splitMemberName follow the WebDataset conventions", () => {
  assert.deepEqual(expandShards("a-{08..11}.tar"), [
    "a-08.tar",
    "a-09.tar",
    "a-10.tar",
    "a-11.tar",
  ]);
  assert.deepEqual(expandShards("x{0..1}-{0..1}"), ["x0-0", "x0-1", "x1-0", "x1-1"]);
  assert.deepEqual(expandShards("plain.tar"), ["plain.tar"]);
  assert.throws(
    () => expandShards("a-{5..3}.tar"),
    (e) =>
      e instanceof RangeError &&
      /shard pattern a-\{5\.\.3\}\.tar: range \{5\.\.3\} is empty/.test(e.message),
  );
  assert.deepEqual(splitMemberName("a.b/c.seg.JPG"), { key: "a.b/c", ext: "seg.jpg" });
  assert.deepEqual(splitMemberName("noext"), { key: "noext", ext: "" });
});

Deno.test("tarSamples groups members by key, reads labels, tags epoch/index/position", async () => {
  const { dir, pattern } = await writeShards(3);
  const got = await collect(tarSamples({ shards: pattern, shuffleShards: false, epochs: 2 }));
  assert.equal(got.length, 18);
  const first = got[0];
  assert.equal(first.key, `${dir}/part-00.tar:s0/0000`);
  assert.deepEqual(Array.from(first.bytes), [0, 0]);
  for (const s of got) {
    const [sh, i] = s.bytes;
    assert.equal(s.label, (sh + i) % 5);
    assert.equal(s.index, sh * SHARD_INDEX_STRIDE + i);
  }
  assert.deepEqual(got.map((s) => s.epoch), [...Array(9).fill(0), ...Array(9).fill(1)]);
  assert.deepEqual(got.slice(9).map((s) => s.position), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ranks read disjoint shards that together cover the epoch; order is seeded", async () => {
  const { dir, pattern } = await writeShards(5);
  const key = (s: { bytes: Uint8Array }) => `${s.bytes[0]}-${s.bytes[1]}`;
  const parts = await Promise.all(
    [0, 1].map((rank) => collect(tarSamples({ shards: pattern, seed: 9, rank, worldSize: 2 }))),
  );
  const a = parts[0].map(key), b = parts[1].map(key);
  assert.equal(new Set([...a, ...b]).size, 15);
  assert.equal(a.length + b.length, 15);
  const epochShards = shardsForEpoch(expandShards(pattern), 0, { seed: 9 }).map((s) =>
    s.shardIndex
  );
  assert.deepEqual(
    [...new Set(parts[0].map((s) => s.bytes[0]))],
    epochShards.filter((_, p) => p % 2 === 0),
  );
  assert.notDeepEqual(
    shardsForEpoch(expandShards(pattern), 1, { seed: 9 }).map((s) => s.shardIndex),
    epochShards,
  );
  assert.throws(
    () => tarSamples({ shards: pattern, worldSize: 6 }),
    (e) => e instanceof RangeError && /5 shard\(s\) cannot be split among 6 ranks/.test(e.message),
  );
  // Resume at position 4 of rank 1's epoch 0 equals the tail of the full run.
  const resumed = await collect(
    tarSamples({ shards: pattern, seed: 9, rank: 1, worldSize: 2, startPosition: 4 }),
  );
  assert.deepEqual(resumed.map(key), b.slice(4));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("tarSamples: a shuffle buffer per epoch (epochs never mix, even when it holds more than one), a cap per epoch, a resume in the same order", async () => {
  const dir = await Deno.makeTempDir();
  for (let s = 0; s < 2; s++) await Deno.writeFile(`${dir}/p${s}.tar`, shard(s, 10));
  const shards = [`${dir}/p0.tar`, `${dir}/p1.tar`];
  const id = (x: { bytes: Uint8Array }) => x.bytes[0] * 10 + x.bytes[1];
  const run = (o: { shuffleBuffer: number; cap?: number; startEpoch?: number; at?: number }) =>
    collect(tarSamples({
      shards,
      seed: 4,
      epochs: 3 - (o.startEpoch ?? 0),
      shuffleBuffer: o.shuffleBuffer,
      samplesPerEpoch: o.cap,
      startEpoch: o.startEpoch,
      startPosition: o.at,
    }));
  for (const shuffleBuffer of [6, 50]) {
    const all = await run({ shuffleBuffer });
    assert.equal(all.length, 60);
    const epochs = [0, 1, 2].map((e) => all.slice(20 * e, 20 * e + 20));
    epochs.forEach((items, e) => {
      assert.ok(items.every((x) => x.epoch === e), `buffer ${shuffleBuffer}: epochs mix`);
      assert.deepEqual(items.map((x) => x.position), Array.from({ length: 20 }, (_, i) => i));
      const ids = items.map(id);
      assert.deepEqual([...ids].sort((a, b) => a - b), [
        ...Array(10).keys(),
        ...Array.from({ length: 10 }, (_, i) => 10 + i),
      ]);
      assert.notDeepEqual(ids, [...ids].sort((a, b) => a - b), "shuffled");
    });
    assert.notDeepEqual(epochs[0].map(id), epochs[1].map(id), "each epoch its own order");
    // a cap takes the first samples of each epoch's order and reads no further
    const capped = await run({ shuffleBuffer, cap: 7 });
    assert.deepEqual(capped.map(id), epochs.flatMap((items) => items.slice(0, 7).map(id)));
    // a resume at position 5 of epoch 1 continues the same order
    const resumed = await run({ shuffleBuffer, startEpoch: 1, at: 5 });
    assert.deepEqual(resumed.map(id), [...epochs[1].slice(5), ...epochs[2]].map(id));
    assert.deepEqual(resumed.slice(0, 3).map((x) => x.position), [5, 6, 7]);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("tar shards over http are streamed; HTTP errors name the URL", async () => {
  const shards = [shard(0), shard(1, 2)];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const m = new URL(req.url).pathname.match(/^\/s-(\d)\.tar$/);
    if (!m || !shards[Number(m[1])]) {
      return new Response("no", { status: 404, statusText: "Not Found" });
    }
    return new Response(shards[Number(m[1])] as Uint8Array<ArrayBuffer>);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const got = await collect(tarSamples({ shards: `${base}/s-{0..1}.tar`, shuffleShards: false }));
    assert.deepEqual(got.map((s) => Array.from(s.bytes)), [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]]);
    assert.equal(got[3].key, `${base}/s-1.tar:s1/0000`);
    await assert.rejects(
      collect(tarSamples({ shards: `${base}/s-7.tar` })),
      new RegExp(`^Error: ${base}/s-7.tar: HTTP 404 Not Found|${base}/s-7.tar: HTTP 404`),
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("bad samples and broken shards: fail names shard and member; skip counts per epoch", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(
    `${dir}/ok.tar`,
    shard(0, 2, [
      { name: "odd/0001.json", data: "{}" }, // no image
      { name: "odd/0002.png", data: "x" },
      { name: "odd/0002.cls", data: "cat" }, // not a number
    ]),
  );
  const broken = shard(1, 3);
  broken[512 * 2 + 10] ^= 0xff; // corrupt the second header
  await Deno.writeFile(`${dir}/broken.tar`, broken);
  const files = [`${dir}/ok.tar`, `${dir}/broken.tar`, `${dir}/missing.tar`];

  await assert.rejects(
    collect(tarSamples({ shards: files[0] })),
    /ok.tar:odd\/0001: sample has no image member \(found .json/,
  );
  await assert.rejects(
    collect(tarSamples({ shards: [files[0]], imageExtensions: ["png", "json"] })),
    /ok.tar:odd\/0002.cls: holds "cat", not a class index/,
  );
  await assert.rejects(
    collect(tarSamples({ shards: files[1] })),
    /broken.tar: bad tar header at byte 1024/,
  );
  await assert.rejects(
    collect(tarSamples({ shards: files[2] })),
    /missing.tar: no such shard file/,
  );

  const reports: SkipReport[] = [];
  const skips = new SkipLog((r) => reports.push(r));
  const got = await collect(
    tarSamples({ shards: files, epochs: 2, onError: "skip", skips, shuffleShards: false }),
  );
  // ok.tar: 2 good samples; broken.tar: none before the bad header.
  assert.equal(got.length, 4);
  assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 4], [1, 4]]);
  assert.match(
    reports[0].examples.join("\n"),
    /broken.tar: bad tar header .*\(rest of the shard skipped\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
