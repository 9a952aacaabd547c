import assert from "node:assert/strict";
import sharp from "sharp";
import { Image } from "imagescript";
import { decodeSample, type ImageDecoder } from "../../src/data/decoder.ts";
import { DEFAULT_MAX_PIXELS } from "../../src/data/limits.ts";
import { createDecoder } from "../../src/data/decoders.ts";
import { DataError } from "../../src/data/errors.ts";
import { encodePng, encodeTiff, pattern, zlib } from "./fixtures/png.ts";
import { hugeGif, hugeJpeg, hugePng, hugeTiff } from "./fixtures/huge.ts";

const W = 5, H = 3, N = W * H;
const decoders: ImageDecoder[] = [await createDecoder("imagescript"), await createDecoder("sharp")];

const rgb = pattern(N * 3);
const gray = pattern(N, 1);

const cases: {
  name: string;
  bytes: () => Promise<Uint8Array>;
  channels: 1 | 3;
  expect: number[];
}[] = [
  {
    name: "PNG RGB",
    bytes: () => encodePng({ width: W, height: H, colorType: 2, samples: rgb }),
    channels: 3,
    expect: Array.from(rgb),
  },
  {
    name: "PNG gray",
    bytes: () => encodePng({ width: W, height: H, colorType: 0, samples: gray }),
    channels: 1,
    expect: Array.from(gray),
  },
  {
    name: "PNG gray + alpha",
    bytes: () => {
      const s = new Uint8Array(N * 2);
      for (let i = 0; i < N; i++) [s[2 * i], s[2 * i + 1]] = [gray[i], 200];
      return encodePng({ width: W, height: H, colorType: 4, samples: s });
    },
    channels: 1,
    expect: Array.from(gray),
  },
  {
    name: "PNG RGBA (alpha dropped)",
    bytes: () => {
      const s = new Uint8Array(N * 4);
      for (let i = 0; i < N; i++) s.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
      return encodePng({ width: W, height: H, colorType: 6, samples: s });
    },
    channels: 3,
    expect: Array.from(rgb),
  },
  {
    name: "PNG palette",
    bytes: () => {
      const palette = [10, 20, 30, 200, 100, 50, 0, 255, 128];
      const idx = Array.from({ length: N }, (_, i) => i % 3);
      return encodePng({ width: W, height: H, colorType: 3, samples: idx, palette });
    },
    channels: 3,
    expect: Array.from(
      { length: N },
      (_, i) => [[10, 20, 30], [200, 100, 50], [0, 255, 128]][i % 3],
    )
      .flat(),
  },
  {
    name: "PNG 16-bit RGB",
    bytes: () => {
      const s = Array.from(rgb, (v, i) => v * 256 + (i % 256));
      return encodePng({ width: W, height: H, colorType: 2, depth: 16, samples: s });
    },
    channels: 3,
    expect: Array.from(rgb, (v, i) => Math.round((v * 256 + (i % 256)) * 255 / 65535)),
  },
  {
    name: "TIFF RGB",
    bytes: () => Promise.resolve(encodeTiff(W, H, 3, rgb)),
    channels: 3,
    expect: Array.from(rgb),
  },
  {
    name: "TIFF gray",
    bytes: () => Promise.resolve(encodeTiff(W, H, 1, gray)),
    channels: 1,
    expect: Array.from(gray),
  },
];

for (const c of cases) {
  Deno.test(`decode ${c.name} exactly (imagescript and sharp)`, async () => {
    const bytes = await c.bytes();
    for (const d of decoders) {
      const img = await decodeSample(d, { key: "x", bytes: bytes.slice(), label: 2 });
      assert.equal(img.width, W, d.name);
      assert.equal(img.height, H, d.name);
      assert.equal(img.channels, c.channels, d.name);
      assert.equal(img.label, 2);
      assert.deepEqual(Array.from(img.data), c.expect, `${d.name} on ${c.name}`);
    }
  });
}

Deno.test("decode JPEG (lossy, close), gray JPEG as 1 channel, GIF first frame", async () => {
  const w = 32, h = 32;
  const image = new Image(w, h);
  for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) image.setPixelAt(x, y, 0x4080c0ff);
  const jpeg = await image.encodeJPEG(95);
  const grayJpeg = new Uint8Array(
    await sharp(new Uint8Array(w * h).fill(90), { raw: { width: w, height: h, channels: 1 } })
      .toColourspace("b-w").jpeg().toBuffer(),
  );
  const gif = new Uint8Array(
    await sharp(new Uint8Array(w * h * 3).fill(200), { raw: { width: w, height: h, channels: 3 } })
      .gif().toBuffer(),
  );
  for (const d of decoders) {
    const a = await decodeSample(d, { key: "a.jpg", bytes: jpeg });
    assert.equal(a.channels, 3);
    const mid = (16 * w + 16) * 3;
    assert.ok(Math.abs(a.data[mid] - 0x40) <= 3 && Math.abs(a.data[mid + 2] - 0xc0) <= 3, d.name);
    const g = await decodeSample(d, { key: "g.jpg", bytes: grayJpeg });
    assert.equal(g.channels, 1, d.name);
    assert.ok(Math.abs(g.data[100] - 90) <= 2);
    const f = await decodeSample(d, { key: "f.gif", bytes: gif });
    assert.equal(f.channels, 3);
    assert.deepEqual(Array.from(f.data.subarray(0, 3)), [200, 200, 200], d.name);
  }
});

Deno.test("channels can be forced: gray to 3, RGB to 1 (BT.601 luma)", async () => {
  const d = decoders[0];
  const g = await encodePng({ width: W, height: H, colorType: 0, samples: gray });
  const g3 = await decodeSample(d, { key: "g", bytes: g }, 3);
  assert.deepEqual(Array.from(g3.data.subarray(0, 6)), [
    gray[0],
    gray[0],
    gray[0],
    gray[1],
    gray[1],
    gray[1],
  ]);
  const c = await encodePng({ width: W, height: H, colorType: 2, samples: rgb });
  const c1 = await decodeSample(d, { key: "c", bytes: c }, 1);
  assert.equal(c1.data[4], Math.round(0.299 * rgb[12] + 0.587 * rgb[13] + 0.114 * rgb[14]));
});

Deno.test("bad image files give DataErrors naming the file and the problem", async () => {
  const png = await encodePng({ width: W, height: H, colorType: 2, samples: rgb });
  const jpeg = await new Image(16, 16).fill(0xff0000ff).encodeJPEG(90);
  const corrupt = png.slice();
  corrupt.fill(0x55, 41, 60); // inside IDAT: the zlib stream is garbage, the chunk walk is fine
  const bad: [string, Uint8Array, RegExp][] = [
    ["empty.png", new Uint8Array(0), /empty file \(0 bytes\)/],
    ["cut.png", png.slice(0, png.length - 20), /truncated PNG/],
    ["cut.jpg", jpeg.slice(0, jpeg.length >> 1), /truncated JPEG: no end-of-image marker/],
    [
      "pic.bmp",
      Uint8Array.from([0x42, 0x4d, 1, 2, 3, 4, 5, 6, 7]),
      /unsupported image format \(BMP\)/,
    ],
    ["corrupt.png", corrupt, /cannot decode PNG/],
    ["cut.tif", encodeTiff(W, H, 3, rgb).slice(0, 80), /truncated TIFF|cannot decode TIFF/],
  ];
  for (const d of decoders) {
    for (const [key, bytes, re] of bad) {
      await assert.rejects(decodeSample(d, { key, bytes }), (e: Error) => {
        assert.ok(e instanceof DataError, `${d.name} ${key}: ${e}`);
        assert.ok(e.message.startsWith(`${key}: `), e.message);
        assert.match(e.message, re, `${d.name} ${key}`);
        return true;
      });
    }
  }
});

Deno.test("images over the pixel limit are refused from the header, before decoding: file, size and setting named", async () => {
  const files: [string, Uint8Array, string][] = [
    ["bomb.png", await hugePng(20000, 20000), "20000x20000 PNG has 400000000 pixels"],
    ["bomb.jpg", await hugeJpeg(16000, 16000), "16000x16000 JPEG has 256000000 pixels"],
    [
      "bomb.gif",
      hugeGif({ screen: [16, 16], frame: [0, 0, 9000, 9000] }),
      "9000x9000 GIF has 81000000 pixels",
    ],
    ["bomb.tif", hugeTiff(10000, 7000), "10000x7000 TIFF has 70000000 pixels"],
  ];
  for (const d of decoders) {
    for (const [key, bytes, what] of files) {
      const t0 = performance.now();
      await assert.rejects(decodeSample(d, { key, bytes }), (e: Error) => {
        assert.ok(e instanceof DataError, `${d.name} ${key}: ${e}`);
        assert.ok(e.message.startsWith(`${key}: ${what}, over the limit of 67108864 `), e.message);
        assert.match(
          e.message,
          /\(data\.maxPixels\); refused before decoding\. raise data\.maxPixels/,
        );
        return true;
      });
      // Decoding (or even allocating) that many pixels takes seconds; the refusal is instant.
      assert.ok(
        performance.now() - t0 < 1000,
        `${d.name} ${key} took ${performance.now() - t0} ms`,
      );
    }
  }
  assert.equal(DEFAULT_MAX_PIXELS, 8192 * 8192);
});

Deno.test("the pixel limit is set per decoder (data.maxPixels): at the limit passes, over it fails", async () => {
  const png = await encodePng({ width: 20, height: 10, colorType: 0, samples: pattern(200) });
  const gif = hugeGif({ screen: [10, 10], frame: [0, 0, 1, 1] });
  for (const name of ["imagescript", "sharp"] as const) {
    const at = await createDecoder(name, { maxPixels: 200 });
    assert.equal((await decodeSample(at, { key: "a.png", bytes: png })).width, 20);
    assert.equal((await decodeSample(at, { key: "g.gif", bytes: gif })).width, 10);
    const under = await createDecoder(name, { maxPixels: 199 });
    await assert.rejects(
      decodeSample(under, { key: "a.png", bytes: png }),
      /^DataError: a\.png: 20x10 PNG has 200 pixels, over the limit of 199 \(data\.maxPixels\)/,
    );
    const gifLimit = await createDecoder(name, { maxPixels: 99 });
    await assert.rejects(decodeSample(gifLimit, { key: "g.gif", bytes: gif }), /10x10 GIF/);
  }
});

Deno.test("embedded ICC profiles are ignored by both decoders: pixel values are taken as sRGB", async () => {
  // A Display P3 profile (sharp's built-in copy), attached to pixels we know.
  const tagged = await sharp(new Uint8Array(3), { raw: { width: 1, height: 1, channels: 3 } })
    .withIccProfile("p3").png().toBuffer();
  const profile = new Uint8Array((await sharp(tagged).metadata()).icc!);
  const iccp = new Uint8Array([...new TextEncoder().encode("P3"), 0, 0, ...await zlib(profile)]);
  const samples = [200, 100, 50, 30, 180, 90, 60, 60, 220, 128, 128, 128, 250, 20, 20];
  const png = await encodePng({
    width: 5,
    height: 1,
    colorType: 2,
    samples,
    chunks: [["iCCP", iccp]],
  });
  // The profile matters: converting to sRGB (sharp's default) moves these colours a lot.
  const converted = Array.from(await sharp(png).raw().toBuffer());
  assert.ok(converted.some((v, i) => Math.abs(v - samples[i]) > 10), `${converted}`);
  for (const d of decoders) {
    const img = await decodeSample(d, { key: "p3.png", bytes: png.slice() });
    assert.deepEqual(Array.from(img.data), samples, d.name);
  }
  // The same for a JPEG (lossy: the two decoders agree within 3 levels, as without a profile).
  const block = Array.from({ length: 16 * 16 }, () => [200, 100, 50]).flat();
  const jpeg = new Uint8Array(
    await sharp(Uint8Array.from(block), { raw: { width: 16, height: 16, channels: 3 } })
      .withIccProfile("p3").jpeg({ quality: 95 }).toBuffer(),
  );
  const [a, b] = await Promise.all(
    decoders.map((d) => decodeSample(d, { key: "p3.jpg", bytes: jpeg })),
  );
  const far = Array.from(await sharp(jpeg).raw().toBuffer()).slice(0, 3);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(a.data[c] - b.data[c]) <= 3, `${a.data} ${b.data}`);
  }
  assert.ok(far.some((v, c) => Math.abs(v - a.data[c]) > 10), `${far} vs ${a.data.subarray(0, 3)}`);
});

Deno.test("createDecoder: an unknown name is a RangeError naming the choices", async () => {
  await assert.rejects(
    createDecoder("pillow" as "sharp"),
    (e) =>
      e instanceof RangeError &&
      /unknown decoder 'pillow': choose 'imagescript' or 'sharp'/.test(e.message),
  );
});
