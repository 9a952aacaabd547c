import assert from "node:assert/strict";
import { npyHeader, parseNpyHeader } from "../../src/search/_npy_header.ts";
import { NpyMatrix, NpyWriter } from "../../src/search/npy.ts";

Deno.test("npy header: NumPy 1.0 layout, 64-byte aligned, shape as written", () => {
  const h = npyHeader(100000, 512);
  assert.equal(h.length % 64, 0);
  assert.deepEqual([...h.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const len = h[8] | (h[9] << 8);
  assert.equal(10 + len, h.length);
  const text = new TextDecoder().decode(h.subarray(10));
  assert.equal(text, text.trimEnd() + " ".repeat(text.length - text.trimEnd().length - 1) + "\n");
  assert.match(
    text,
    /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(100000, 512\), \}\s*\n$/,
  );
  assert.deepEqual(parseNpyHeader(h, "x"), { rows: 100000, cols: 512, dataOffset: 128 });
  assert.throws(() => npyHeader(-1, 3), RangeError);
});

Deno.test("npy: rows appended in pieces read back exactly; header patched at close", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/m.npy`;
  const w = await NpyWriter.create(path, 3);
  await w.append(Float32Array.of(1, 2, 3));
  await w.append(Float32Array.of(4, 5, 6, -7.5, 8e-8, Infinity));
  await assert.rejects(() => w.append(Float32Array.of(1, 2)), RangeError);
  await assert.rejects(() => Deno.stat(path)); // not there until closed
  await w.close();
  await assert.rejects(() => Deno.stat(`${path}.partial`));
  const bytes = await Deno.readFile(path);
  assert.equal(bytes.length, 128 + 9 * 4);
  assert.match(new TextDecoder().decode(bytes.subarray(10, 128)), /'shape': \(3, 3\)/);
  // The values, little-endian float32 after the header.
  const dv = new DataView(bytes.buffer, 128);
  assert.deepEqual(
    Array.from({ length: 9 }, (_, i) => dv.getFloat32(4 * i, true)),
    [1, 2, 3, 4, 5, 6, -7.5, Math.fround(8e-8), Infinity],
  );
  const m = await NpyMatrix.open(path);
  assert.deepEqual([m.rows, m.cols], [3, 3]);
  assert.deepEqual([...await m.readRows(1, 1)], [4, 5, 6]);
  const blocks: [number, number[]][] = [];
  for await (const b of m.blocks(2)) blocks.push([b.start, [...b.values]]);
  assert.deepEqual(blocks, [[0, [1, 2, 3, 4, 5, 6]], [2, [-7.5, Math.fround(8e-8), Infinity]]]);
  await assert.rejects(() => m.readRows(2, 2), RangeError);
  m.close();
});

Deno.test("npy: NumPy reads what the writer wrote (when python3-numpy is there)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/m.npy`;
  const w = await NpyWriter.create(path, 4);
  await w.append(Float32Array.from({ length: 20 }, (_, i) => i / 4 - 1));
  await w.close();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("python3", {
      args: ["-c", `import numpy as np; a = np.load("${path}"); print(a.dtype, a.shape, a.sum())`],
    }).output();
  } catch {
    console.log("SKIPPED: no python3");
    return;
  }
  const err = new TextDecoder().decode(out.stderr);
  if (/No module named 'numpy'/.test(err)) {
    console.log("SKIPPED: no numpy");
    return;
  }
  assert.equal(out.code, 0, err);
  // sum of (i/4 - 1) for i < 20 = 190/4 - 20 = 27.5
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "float32 (5, 4) 27.5");
});

Deno.test("npy: wrong dtype, truncated file, abort", async () => {
  const dir = await Deno.makeTempDir();
  const h = npyHeader(2, 2);
  const f64 = h.slice();
  const at = new TextDecoder().decode(h).indexOf("<f4");
  f64.set(new TextEncoder().encode("<f8"), at);
  assert.throws(() => parseNpyHeader(f64, "f64.npy"), /'<f8'.*float32/);
  await Deno.writeFile(`${dir}/short.npy`, new Uint8Array([...h, 0, 0, 0, 0]));
  await assert.rejects(() => NpyMatrix.open(`${dir}/short.npy`), /132 bytes.*needs 144/);
  await Deno.writeFile(`${dir}/junk.npy`, new TextEncoder().encode("hello"));
  await assert.rejects(() => NpyMatrix.open(`${dir}/junk.npy`), /not a NumPy/);
  const w = await NpyWriter.create(`${dir}/a.npy`, 2);
  await w.append(Float32Array.of(1, 2));
  await w.abort();
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["junk.npy", "short.npy"]);
});
