import assert from "node:assert/strict";
import { DataError } from "../../src/data/errors.ts";
import { idxDataset } from "../../src/data/idx.ts";
import { listDatasets, openDataset, registerDataset } from "../../src/data/registry.ts";
import { locateDataset } from "../../src/data/_locate.ts";
import type { RawImage } from "../../src/data/sample.ts";
import { gzip, idxBytes } from "./fixtures/files.ts";
import { makeTar } from "./fixtures/tar.ts";
import { sha256Hex } from "../../src/streams/sha256.ts";

const FASHION = "/usr/share/datasets/fashion-mnist";
const hasFashion = (() => {
  try {
    return Deno.statSync(`${FASHION}/t10k-images-idx3-ubyte.gz`).isFile;
  } catch {
    return false;
  }
})();

/** Serves `files` by path on 127.0.0.1 and counts requests. */
function serve(files: Record<string, Uint8Array>) {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    const body = files[path];
    return body
      ? new Response(body as Uint8Array<ArrayBuffer>)
      : new Response("", { status: 404, statusText: "Not Found" });
  });
  return { base: `http://127.0.0.1:${server.addr.port}`, hits, close: () => server.shutdown() };
}

/** The four files of an MNIST-layout dataset. */
const IDX_FILES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

const tinyImages = () => idxBytes([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));

Deno.test(
  "fashion-mnist is found in the Debian system folder",
  { ignore: !hasFashion },
  async () => {
    const cache = await Deno.makeTempDir();
    assert.deepEqual(await locateDataset("fashion-mnist", { cacheDir: cache, download: false }), {
      dir: FASHION,
      source: "system",
    });
    const opened = await openDataset("fashion-mnist", {
      cacheDir: cache,
      split: "test",
      download: false,
    });
    assert.equal(opened.kind, "indexed");
    if (opened.kind === "indexed") {
      assert.equal(opened.dataset.length, 10000);
      assert.equal(opened.dataset.classes?.[9], "Ankle boot");
    }
    await Deno.remove(cache, { recursive: true });
  },
);

Deno.test("the explicit path comes first, then the cache, then the system folder", async () => {
  const root = await Deno.makeTempDir();
  for (const d of ["mine", "cache/mnist", "system"]) {
    await Deno.mkdir(`${root}/${d}`, { recursive: true });
    for (const f of IDX_FILES) await Deno.writeFile(`${root}/${d}/${f}`, new Uint8Array(0));
  }
  const common = { cacheDir: `${root}/cache`, systemDirs: [`${root}/system`], download: false };
  assert.deepEqual(await locateDataset("mnist", { ...common, path: `${root}/mine` }), {
    dir: `${root}/mine`,
    source: "path",
  });
  assert.deepEqual(await locateDataset("mnist", common), {
    dir: `${root}/cache/mnist`,
    source: "cache",
  });
  await Deno.remove(`${root}/cache`, { recursive: true });
  assert.deepEqual(await locateDataset("mnist", common), {
    dir: `${root}/system`,
    source: "system",
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("when nothing works, the error lists every place tried and the fix", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/given`);
  await Deno.writeFile(`${root}/given/train-images-idx3-ubyte.gz`, new Uint8Array(0));
  const error = await locateDataset("fashion-mnist", {
    cacheDir: `${root}/cache`,
    systemDirs: [`${root}/nowhere`],
    download: false,
  }).catch((e) => e);
  assert.ok(error instanceof DataError);
  const m = error.message;
  assert.match(m, /^dataset 'fashion-mnist': not found\. Looked in:/);
  assert.match(m, /explicit path: none given/);
  assert.match(m, new RegExp(`${root}/cache/fashion-mnist: no such folder`));
  assert.match(m, new RegExp(`${root}/nowhere: no such folder`));
  assert.match(m, /download: turned off/);
  assert.match(m, /Install it: sudo apt-get install dataset-fashion-mnist/);
  assert.match(m, /curl -fLo train-images-idx3-ubyte.gz http:\/\/fashion-mnist\.s3-website/);
  // The canonical URL is tried when downloads are on; offline it fails and says why.
  const offline = await locateDataset("mnist", {
    cacheDir: `${root}/cache`,
    systemDirs: [],
    onProgress: () => () => {},
  }).catch((e) => e);
  assert.match(
    offline.message,
    /download: https:\/\/ossci-datasets.s3.amazonaws.com\/mnist\/train-images-idx3-ubyte.gz: cannot download/,
  );
  await assert.rejects(
    openDataset("imagenet"),
    /dataset 'imagenet': unknown. choose one of fashion-mnist, mnist, cifar10, cifar100, imagefolder, tar/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("download from a local server: checksums verified, progress shown, then cached", async () => {
  const images = await gzip(tinyImages());
  const labels = idxBytes([2], Uint8Array.of(1, 0));
  const srv = serve({ "/tiny/img.gz": images, "/tiny/lab": labels, "/tiny/bad": Uint8Array.of(9) });
  const cache = await Deno.makeTempDir();
  try {
    registerDataset({
      name: "tiny",
      description: "test",
      required: ["img.gz", "lab"],
      downloads: [
        { name: "img.gz", url: `${srv.base}/tiny/img.gz`, sha256: await sha256Hex(images) },
        { name: "lab", url: `${srv.base}/tiny/lab`, sha256: await sha256Hex(labels) },
      ],
      open: (dir) => idxDataset({ images: `${dir}/img.gz`, labels: `${dir}/lab` }),
    });
    const progress: [string, number, number | undefined][] = [];
    const onProgress = (file: string) => (r: number, t: number | undefined) =>
      void progress.push([file, r, t]);
    const opened = await openDataset("tiny", { cacheDir: cache, systemDirs: [], onProgress });
    assert.equal(opened.kind === "indexed" && opened.located?.source, "download");
    if (opened.kind === "indexed") {
      assert.deepEqual(Array.from(((await opened.dataset.get(1)) as RawImage).data), [5, 6, 7, 8]);
    }
    assert.deepEqual(progress.at(-1), ["lab", labels.length, labels.length]);
    assert.equal(srv.hits.length, 2);
    assert.equal((await locateDataset("tiny", { cacheDir: cache })).source, "cache");
    assert.equal(srv.hits.length, 2, "the cache was used");

    registerDataset({
      name: "tiny-bad",
      description: "test",
      required: ["bad"],
      downloads: [{ name: "bad", url: `${srv.base}/tiny/bad`, sha256: "00".repeat(32) }],
      open: () => Promise.reject(new Error("unreachable")),
    });
    const bad = await locateDataset("tiny-bad", { cacheDir: cache, onProgress: () => () => {} })
      .catch((e) => e);
    assert.match(bad.message, /tiny\/bad: checksum mismatch: sha256 [0-9a-f]{64}, expected 0{64}/);
    assert.deepEqual([...Deno.readDirSync(`${cache}/tiny-bad`)], [], "nothing kept");

    registerDataset({
      name: "tiny-404",
      description: "test",
      required: ["x"],
      downloads: [{ name: "x", url: `${srv.base}/missing`, md5: "0" }],
      open: () => Promise.reject(new Error("unreachable")),
    });
    await assert.rejects(
      locateDataset("tiny-404", { cacheDir: cache }),
      /missing: cannot download: HTTP 404 Not Found/,
    );
  } finally {
    await srv.close();
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("a downloaded .tar.gz is unpacked into the cache (CIFAR layout)", async () => {
  const rec = new Uint8Array(3073);
  rec[0] = 3;
  const archive = await gzip(makeTar([
    { name: "cifar-10-batches-bin/data_batch_1.bin", data: rec },
    ...[2, 3, 4, 5].map((i) => ({ name: `cifar-10-batches-bin/data_batch_${i}.bin`, data: rec })),
    { name: "cifar-10-batches-bin/test_batch.bin", data: rec },
  ]));
  const srv = serve({ "/c.tgz": archive });
  const cache = await Deno.makeTempDir();
  try {
    const { DATASETS } = await import("../../src/data/_dataset_table.ts");
    const spec = DATASETS.get("cifar10")!;
    registerDataset({
      ...spec,
      name: "cifar10-local",
      downloads: [{
        name: "c.tgz",
        url: `${srv.base}/c.tgz`,
        sha256: await sha256Hex(archive),
        unpack: true,
      }],
    });
    const opened = await openDataset("cifar10-local", {
      cacheDir: cache,
      systemDirs: [],
      onProgress: () => () => {},
    });
    assert.ok(opened.kind === "indexed");
    assert.equal(opened.located?.dir, `${cache}/cifar10-local/cifar-10-batches-bin`);
    assert.equal(opened.dataset.length, 5);
    assert.equal((await opened.dataset.get(4)).label, 3);
    opened.dataset.close?.();
  } finally {
    await srv.close();
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("a wrong explicit path fails, naming it and the fix, instead of falling back to another copy", async () => {
  const root = await Deno.makeTempDir();
  // A complete copy in the cache and in a system folder, and a given path that holds one file.
  for (const d of ["cache/fashion-mnist", "system"]) {
    await Deno.mkdir(`${root}/${d}`, { recursive: true });
    for (const f of IDX_FILES) await Deno.writeFile(`${root}/${d}/${f}`, new Uint8Array(0));
  }
  await Deno.mkdir(`${root}/given`);
  await Deno.writeFile(`${root}/given/train-images-idx3-ubyte.gz`, new Uint8Array(0));
  const common = { cacheDir: `${root}/cache`, systemDirs: [`${root}/system`], download: false };
  for (
    const [path, why] of [
      [`${root}/given`, "missing train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz"],
      [`${root}/typo`, "no such folder"],
    ]
  ) {
    for (
      const attempt of [
        () => locateDataset("fashion-mnist", { ...common, path }),
        () => openDataset("fashion-mnist", { ...common, path, split: "test" }),
      ]
    ) {
      const error = await (attempt() as Promise<unknown>).then(
        () => assert.fail(`${path}: found although the path does not hold the dataset`),
        (e) => e,
      );
      assert.ok(error instanceof DataError, String(error));
      assert.match(
        error.message,
        new RegExp(`^dataset 'fashion-mnist': not found at the given path: ${path}: ${why}`),
      );
      assert.match(
        error.message,
        /Fix: point the path \(data.path\) at the folder that holds train-images-idx3-ubyte.gz/,
      );
      assert.match(
        error.message,
        new RegExp(
          `or leave it out to use the cache \\(${root}/cache/fashion-mnist\\), ${root}/system`,
        ),
      );
    }
  }
  // Without a path, the cache copy is found as before.
  assert.equal((await locateDataset("fashion-mnist", common)).source, "cache");
  await Deno.remove(root, { recursive: true });
});

Deno.test("named datasets have the splits train and test; any other name is an error", async () => {
  await assert.rejects(
    openDataset("mnist", { split: "val", download: false }),
    /dataset 'mnist': has the splits train and test, not 'val'/,
  );
});

Deno.test("imagefolder and tar entries need a path; tar expands patterns", async () => {
  await assert.rejects(openDataset("imagefolder"), /dataset 'imagefolder': needs the path/);
  assert.deepEqual(await openDataset("tar", { path: "a-{0..1}.tar https://h/b.tar" }), {
    kind: "shards",
    shards: ["a-0.tar", "a-1.tar", "https://h/b.tar"],
  });
  assert.deepEqual(listDatasets().map((d) => d.name).slice(0, 4), [
    "fashion-mnist",
    "mnist",
    "cifar10",
    "cifar100",
  ]);
});

Deno.test("openDataset hands data.maxFileBytes to the IDX reader of a named dataset", async () => {
  const dir = await Deno.makeTempDir();
  const labels = idxBytes([2], Uint8Array.of(1, 0));
  for (const p of ["train", "t10k"]) {
    await Deno.writeFile(`${dir}/${p}-images-idx3-ubyte.gz`, await gzip(tinyImages()));
    await Deno.writeFile(`${dir}/${p}-labels-idx1-ubyte.gz`, await gzip(labels));
  }
  const common = { path: dir, download: false, systemDirs: [] };
  const opened = await openDataset("mnist", { ...common, maxFileBytes: 24 }); // 16 + 8 bytes
  assert.equal(opened.kind === "indexed" && opened.dataset.length, 2);
  await assert.rejects(
    openDataset("mnist", { ...common, maxFileBytes: 23 }),
    /train-images-idx3-ubyte\.gz: header says 2x2x2 \(24 bytes unzipped\), over the limit of 23 bytes \(data\.maxFileBytes\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
