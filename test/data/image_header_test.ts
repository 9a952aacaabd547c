import assert from "node:assert/strict";
import sharp from "sharp";
import { readImageHeader } from "../../src/data/_image_header.ts";
import { encodePng, encodeTiff } from "./fixtures/png.ts";
import { hugeGif, hugeJpeg } from "./fixtures/huge.ts";

const raw = (w: number, h: number, c: 1 | 3) =>
  sharp(new Uint8Array(w * h * c).fill(77), { raw: { width: w, height: h, channels: c } });

Deno.test("readImageHeader: PNG size, depth and gray from IHDR", async () => {
  for (const [colorType, depth, gray] of [[0, 8, true], [2, 8, false], [4, 16, true]] as const) {
    const spp = { 0: 1, 2: 3, 4: 2 }[colorType];
    const png = await encodePng({
      width: 9,
      height: 4,
      colorType,
      depth,
      samples: new Array(9 * 4 * spp).fill(1),
    });
    assert.deepEqual(readImageHeader(png, "png"), {
      format: "png",
      width: 9,
      height: 4,
      depth,
      gray,
    });
  }
  assert.throws(() => readImageHeader(new Uint8Array(20), "png"), /PNG without IHDR/);
});

Deno.test("readImageHeader: JPEG size from the frame header, baseline and progressive", async () => {
  for (const progressive of [false, true]) {
    const color = new Uint8Array(await raw(13, 6, 3).jpeg({ progressive }).toBuffer());
    assert.deepEqual(readImageHeader(color, "jpeg"), {
      format: "jpeg",
      width: 13,
      height: 6,
      depth: 8,
      gray: false,
    });
    const gray = new Uint8Array(await raw(5, 11, 1).toColourspace("b-w").jpeg().toBuffer());
    assert.deepEqual(readImageHeader(gray, "jpeg"), {
      format: "jpeg",
      width: 5,
      height: 11,
      depth: 8,
      gray: true,
    });
  }
  assert.deepEqual(
    [readImageHeader(await hugeJpeg(30000, 20000), "jpeg")].map((h) => [h.width, h.height]),
    [[30000, 20000]],
  );
});

Deno.test("readImageHeader: GIF logical screen, grown to hold a first frame outside it", async () => {
  const gif = new Uint8Array(await raw(12, 7, 3).gif().toBuffer());
  assert.deepEqual(readImageHeader(gif, "gif"), {
    format: "gif",
    width: 12,
    height: 7,
    depth: 8,
    gray: false,
  });
  const h = readImageHeader(hugeGif({ screen: [10, 10], frame: [5, 3, 20000, 16000] }), "gif");
  assert.deepEqual([h.width, h.height], [20005, 16003]);
});

Deno.test("readImageHeader: TIFF size, depth and gray, both byte orders", () => {
  for (const bigEndian of [false, true]) {
    const t = encodeTiff(6, 2, 3, new Array(36).fill(0), { depth: 16, bigEndian });
    assert.deepEqual(readImageHeader(t, "tiff"), {
      format: "tiff",
      width: 6,
      height: 2,
      depth: 16,
      gray: false,
    });
    const g = encodeTiff(3, 5, 1, new Uint8Array(15), { bigEndian });
    assert.deepEqual(readImageHeader(g, "tiff"), {
      format: "tiff",
      width: 3,
      height: 5,
      depth: 8,
      gray: true,
    });
  }
});
