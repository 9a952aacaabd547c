import assert from "node:assert/strict";
import { idxDataset } from "../../src/data/idx.ts";
import { IdxFile, parseIdxHeader } from "../../src/data/_idx_file.ts";
import { DataError } from "../../src/data/errors.ts";
import { gzip, idxBytes, px } from "./fixtures/files.ts";
import { idxBomb, peakRss } from "./fixtures/bombs.ts";

const N = 6, R = 3, C = 4;
const images = () => {
  const d = new Uint8Array(N * R * C);
  for (let i = 0; i < N; i++) for (let j = 0; j < R * C; j++) d[i * R * C + j] = px(i, j);
  return idxBytes([N, R, C], d);
};
const labels = () => idxBytes([N], Uint8Array.from({ length: N }, (_, i) => (i * 3) % 10));

async function writeSet(dir: string, gz: boolean) {
  const f = (b: Uint8Array) => gz ? gzip(b) : Promise.resolve(b);
  const img = `${dir}/images${gz ? ".gz" : ""}`, lab = `${dir}/labels${gz ? ".gz" : ""}`;
  await Deno.writeFile(img, await f(images()));
  await Deno.writeFile(lab, await f(labels()));
  return { img, lab };
}

for (const gz of [false, true]) {
  Deno.test(`idxDataset reads ${gz ? "gzipped" : "plain"} IDX files by index`, async () => {
    const dir = await Deno.makeTempDir();
    const { img, lab } = await writeSet(dir, gz);
    const ds = await idxDataset({ images: img, labels: lab });
    assert.equal(ds.length, N);
    for (const i of [4, 0, 5]) {
      const s = await ds.get(i);
      assert.equal(s.key, `images${gz ? ".gz" : ""}[${i}]`);
      assert.deepEqual([s.width, s.height, s.channels, s.label], [C, R, 1, (i * 3) % 10]);
      assert.deepEqual(Array.from(s.data), Array.from({ length: R * C }, (_, j) => px(i, j)));
    }
    ds.close?.();
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("bad IDX headers and sizes name the file and the problem", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, b: Uint8Array) => {
    await Deno.writeFile(`${dir}/${name}`, b);
    return `${dir}/${name}`;
  };
  const good = images();
  const cases: [string, Uint8Array, RegExp][] = [
    ["magic", Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), /bad IDX magic number 0x01020304/],
    [
      "float",
      Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
      /unsupported IDX data type 0xd/,
    ],
    [
      "cut",
      good.slice(0, good.length - 5),
      /truncated: header says 6x3x4 \(88 bytes\), file has 83/,
    ],
    ["long", Uint8Array.from([...good, 1]), /too long/],
    ["cut.gz", (await gzip(good)).slice(0, 30), /corrupt or truncated gzip data/],
    ["empty", new Uint8Array(0), /not an IDX file: only 0 bytes/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = await write(name, bytes);
    await assert.rejects(IdxFile.open(path), (e: Error) => {
      assert.ok(e instanceof DataError, String(e));
      assert.ok(e.message.startsWith(path), e.message);
      assert.match(e.message, re);
      return true;
    });
  }
  const badLabels = await write("labels", idxBytes([N + 1], new Uint8Array(N + 1)));
  const img = await write("images", good);
  await assert.rejects(
    idxDataset({ images: img, labels: badLabels }),
    /labels shape 7 does not match 6 images/,
  );
  await assert.rejects(IdxFile.open(`${dir}/missing`), /missing: cannot open/);
  assert.deepEqual(parseIdxHeader(good, "x"), { dims: [6, 3, 4], headerBytes: 16 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the Debian Fashion-MNIST files read as 10000 28x28 test images", {
  ignore: !existsSync("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
}, async () => {
  const dir = "/usr/share/datasets/fashion-mnist";
  const ds = await idxDataset({
    images: `${dir}/t10k-images-idx3-ubyte.gz`,
    labels: `${dir}/t10k-labels-idx1-ubyte.gz`,
  });
  assert.equal(ds.length, 10000);
  const s = await ds.get(9999);
  assert.deepEqual([s.width, s.height, s.channels], [28, 28, 1]);
  assert.ok(s.label! >= 0 && s.label! < 10);
});

function existsSync(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a gzipped IDX file is checked against its header while inflating: a bomb stops there", {
  ignore: Deno.build.os !== "linux", // peak memory from /proc/self/status
}, async () => {
  const dir = await Deno.makeTempDir();
  // 256 MiB of zeros after a header that says 10 images of 28x28 (7856 bytes in all).
  const bomb = `${dir}/bomb-idx3-ubyte.gz`;
  await Deno.writeFile(bomb, await idxBomb([10, 28, 28], 256 << 20));
  assert.ok((await Deno.stat(bomb)).size < 400_000);
  const { outcome, peakMiB } = await peakRss("idx", bomb);
  assert.equal(
    outcome,
    `${bomb}: too long: header says 10x28x28 (7856 bytes unzipped), the file holds more ` +
      `(inflating stopped there). delete the file and fetch it again`,
  );
  // Inflating it whole takes 256 MiB and more; stopping after the header's size does not.
  assert.ok(peakMiB < 200, `peak RSS ${peakMiB.toFixed(0)} MiB`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a gzipped IDX file whose header says more than data.maxFileBytes is refused before inflating", async () => {
  const dir = await Deno.makeTempDir();
  const big = `${dir}/big.gz`;
  await Deno.writeFile(big, await idxBomb([400_000, 28, 28], 1 << 20));
  const limit = { maxFileBytes: 100_000_000 };
  await assert.rejects(IdxFile.open(big, limit), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.equal(
      e.message,
      `${big}: header says 400000x28x28 (313600016 bytes unzipped), over the limit of ` +
        `100000000 bytes (data.maxFileBytes); refused before inflating. raise ` +
        `data.maxFileBytes if the file is genuine`,
    );
    return true;
  });
  // The labels file is held to the same limit; a truncated one says what it lacks.
  const images = `${dir}/images.gz`, labels = `${dir}/labels.gz`;
  await Deno.writeFile(images, await gzip(idxBytes([3, 2, 2], new Uint8Array(12))));
  await Deno.writeFile(labels, await idxBomb([3], 2));
  await assert.rejects(
    idxDataset({ images, labels, maxFileBytes: 100 }),
    /labels\.gz: truncated: header says 3 \(11 bytes unzipped\), file has 10/,
  );
  await Deno.writeFile(labels, await idxBomb([300], 300));
  await assert.rejects(
    idxDataset({ images, labels, maxFileBytes: 100 }),
    /labels\.gz: header says 300 \(308 bytes unzipped\), over the limit of 100 bytes/,
  );
  await Deno.remove(dir, { recursive: true });
});
