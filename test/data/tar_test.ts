import assert from "node:assert/strict";
import { DataError } from "../../src/data/errors.ts";
import { tarMembers } from "../../src/data/_tar.ts";
import { collect } from "../../src/streams/stage.ts";
import { gzip } from "./fixtures/files.ts";
import { makeTar } from "./fixtures/tar.ts";
import { peakRss, tarGzBomb } from "./fixtures/bombs.ts";

/** A stream that hands out `bytes` in small odd-sized chunks (to cross header boundaries). */
function chunked(bytes: Uint8Array, size = 333): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= bytes.length) return c.close();
      c.enqueue(bytes.slice(o, o + size));
      o += size;
    },
  });
}

const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const long = "d/" + "x".repeat(150) + ".txt";

const archive = () =>
  makeTar([
    { name: "a.txt", data: "hello" },
    { name: "dir/", data: "", type: "5" },
    { name: "dir/b.bin", data: new Uint8Array(1000).fill(9) },
    { name: long, data: "gnu", long: "gnu" },
    { name: long.replace("x", "y"), data: "pax", long: "pax" },
    { name: "empty", data: "" },
  ]);

Deno.test("tarMembers reads files, long GNU and pax names, skips directories", async () => {
  for (const bytes of [archive(), await gzip(archive())]) {
    const got = await collect(tarMembers(chunked(bytes), "t.tar"));
    assert.deepEqual(got.map((m) => m.name), [
      "a.txt",
      "dir/b.bin",
      long,
      long.replace("x", "y"),
      "empty",
    ]);
    assert.equal(dec(got[0].data), "hello");
    assert.deepEqual(Array.from(got[1].data), new Array(1000).fill(9));
    assert.equal(dec(got[2].data), "gnu");
    assert.equal(dec(got[3].data), "pax");
    assert.equal(got[4].data.length, 0);
    assert.equal(got[1].data.byteOffset, 0);
    assert.equal(got[1].data.buffer.byteLength, 1000, "each member owns its buffer");
  }
});

Deno.test("bad tar input names the archive, the member and the problem", async () => {
  const good = archive();
  const badSum = good.slice();
  badSum[512 + 512 + 3] ^= 1; // second header ("dir/"), a name byte
  const check = async (bytes: Uint8Array, re: RegExp) =>
    await assert.rejects(collect(tarMembers(chunked(bytes), "shard-7.tar")), (e: Error) => {
      assert.ok(e instanceof DataError, String(e));
      assert.match(e.message, re);
      return true;
    });
  await check(badSum, /^shard-7.tar: bad tar header at byte 1024 \(checksum \d+ != \d+\)/);
  await check(
    good.slice(0, 1024 + 512 + 600),
    /^shard-7.tar:dir\/b.bin: truncated: member has 1000 bytes/,
  );
  await check(good.slice(0, 700), /^shard-7.tar:a.txt: truncated: the archive ends inside this/);
  await check(good.slice(0, 1124), /^shard-7.tar: truncated: the stream ends inside a tar header/);
  await check(
    new TextEncoder().encode("x".repeat(600)),
    /^shard-7.tar: bad tar header at byte 0 \(no checksum field\)/,
  );
  await check((await gzip(good)).slice(0, 100), /^shard-7.tar: cannot read the archive/);
  assert.deepEqual(await collect(tarMembers(chunked(new Uint8Array(0)), "e.tar")), []);
});

Deno.test("a member larger than maxFileBytes (data.maxFileBytes) is refused from its header", async () => {
  const bytes = makeTar([
    { name: "ok.bin", data: new Uint8Array(1000) },
    { name: "big.bin", data: new Uint8Array(1001) },
  ]);
  for (const b of [bytes, await gzip(bytes)]) {
    const members = tarMembers(chunked(b), "s.tar", { maxFileBytes: 1000 }).getReader();
    assert.equal((await members.read()).value?.name, "ok.bin");
    await assert.rejects(members.read(), (e: Error) => {
      assert.ok(e instanceof DataError, String(e));
      assert.equal(
        e.message,
        "s.tar:big.bin: member of 1001 bytes (from its header) is over the limit of 1000 bytes " +
          "(data.maxFileBytes); refused before reading it. raise data.maxFileBytes if the " +
          "member is genuine",
      );
      return true;
    });
  }
});

Deno.test("a .tar.gz bomb (a member claiming 2 GiB) fails at its header, in bounded memory", {
  ignore: Deno.build.os !== "linux", // peak memory from /proc/self/status
}, async () => {
  const dir = await Deno.makeTempDir();
  const bomb = `${dir}/bomb.tar.gz`;
  await Deno.writeFile(bomb, await tarGzBomb("0.png", 2 ** 31, 256 << 20));
  assert.ok((await Deno.stat(bomb)).size < 400_000);
  const { outcome, peakMiB } = await peakRss("tar", bomb); // default limit: 1 GiB
  assert.match(
    outcome,
    /bomb\.tar\.gz:0\.png: member of 2147483648 bytes .* over the limit of 1073741824 bytes \(data\.maxFileBytes\)/,
  );
  // Reading the member takes its 256 MiB of zeros and more; refusing it takes nothing.
  assert.ok(peakMiB < 200, `peak RSS ${peakMiB.toFixed(0)} MiB`);
  await Deno.remove(dir, { recursive: true });
});
