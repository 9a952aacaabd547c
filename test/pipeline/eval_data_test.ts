import assert from "node:assert/strict";
import { createDecoder } from "../../src/data/decoders.ts";
import type { IndexedDataset } from "../../src/data/indexed.ts";
import type { RawImage } from "../../src/data/sample.ts";
import { evalCropBox } from "../../src/augment/_eval_crop.ts";
import { evalBatches } from "../../src/pipeline/_eval_data.ts";

/** google-research/simclr data_util.center_crop's box, written out from its code. */
function googleCenterCrop(h: number, w: number, height: number, width: number, p: number) {
  const rint = (x: number) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const aspect = width / height;
  const [ch, cw] = aspect > w / h
    ? [rint(p / aspect * w), rint(p * w)] // requested aspect wider than the image
    : [rint(p * h), rint(p * aspect * h)];
  return {
    top: Math.floor((h - ch + 1) / 2),
    left: Math.floor((w - cw + 1) / 2),
    height: ch,
    width: cw,
  };
}

Deno.test("evalCropBox: center is google's center_crop box; simclr crops above 32 px only; whole is the image", () => {
  for (
    const [w, h] of [[500, 375], [375, 500], [224, 224], [257, 256], [33, 48], [1000, 7], [17, 17]]
  ) {
    for (const p of [0.875, 0.5, 1]) {
      assert.deepEqual(
        evalCropBox(w, h, 224, "center", p),
        googleCenterCrop(h, w, 224, 224, p),
        `${w}x${h} p ${p}`,
      );
      assert.deepEqual(evalCropBox(w, h, 64, "simclr", p), googleCenterCrop(h, w, 64, 64, p));
      assert.deepEqual(evalCropBox(w, h, 32, "simclr", p), {
        top: 0,
        left: 0,
        width: w,
        height: h,
      });
      assert.deepEqual(evalCropBox(w, h, 64, "whole", p), { top: 0, left: 0, width: w, height: h });
    }
  }
  assert.throws(
    () => evalCropBox(10, 10, 8, "edge" as never, 1),
    /eval crop 'edge' must be whole, center or simclr/,
  );
  assert.throws(() => evalCropBox(10, 10, 8, "center", 0), /proportion 0 must be in \(0, 1\]/);
});

/** A 16x16 gray image: value `inner` on the central 8x8 square, 20 around it. */
function framed(i: number, inner: number): RawImage {
  const data = new Uint8Array(256).fill(20);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) data[y * 16 + x] = inner;
  return { key: `img${i}`, width: 16, height: 16, channels: 1, data, label: i % 3 };
}

Deno.test("evalBatches: eval.batchSize sets the batch; the centre crop sees only the centre", async () => {
  const images = Array.from({ length: 10 }, (_, i) => framed(i, 100 + 10 * i));
  const ds: IndexedDataset = { name: "framed", length: 10, get: (i) => Promise.resolve(images[i]) };
  const decoder = await createDecoder("imagescript");
  const common = {
    augment: { preset: "simclr-gray", size: 8, mean: [0], std: [1] },
    channels: 1 as const,
    indices: Int32Array.from({ length: 10 }, (_, i) => i),
    decoder,
  };
  const sizes: number[] = [];
  for await (
    const b of evalBatches(ds, { ...common, batchSize: 4, crop: "center", cropProportion: 0.5 })
  ) {
    sizes.push(b.count!);
    for (let k = 0; k < b.count!; k++) {
      const i = sizes.reduce((a, s) => a + s, 0) - b.count! + k;
      const view = b.views.subarray(k * 64, (k + 1) * 64);
      for (const v of view) {
        assert.ok(Math.abs(v - (100 + 10 * i) / 255) < 1e-6, `image ${i}: ${v}`);
      }
      assert.equal(b.labels![k], i % 3);
    }
  }
  assert.deepEqual(sizes, [4, 4, 2]);
  const whole = [];
  for await (const b of evalBatches(ds, { ...common, crop: "whole" })) whole.push(b);
  assert.equal(whole.length, 1, "default batch 256");
  const first = whole[0].views.subarray(0, 64);
  assert.ok(
    Math.min(...first) < 30 / 255 && Math.max(...first) > 90 / 255,
    "whole image: frame and centre",
  );
});
