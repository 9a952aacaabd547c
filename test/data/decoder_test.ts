import assert from "node:assert/strict";
import sharp from "sharp";
import { Image } from "imagescript";
import { decodeSample, type ImageDecoder } from "../../src/data/decoder.ts";
import { createDecoder } from "../../src/data/decoders.ts";
import { DataError } from "../../src/data/errors.ts";
import { encodePng, encodeTiff, pattern } from "./fixtures/png.ts";

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
    expect: Array.from(rgb),
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
