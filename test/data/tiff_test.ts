import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeTiff } from "../../src/data/_tiff.ts";
import { pattern } from "./fixtures/png.ts";

Deno.test("decodeTiff matches libvips on LZW, Deflate, PackBits, predictor, gray/RGB/RGBA", async () => {
  const w = 40; // LZW tables pass 512 entries at this size: code widths grow
  for (const ch of [1, 3, 4] as const) {
    for (const compression of ["none", "lzw", "deflate", "packbits"] as const) {
      for (const predictor of ["none", "horizontal"] as const) {
        let img = sharp(pattern(w * w * ch, ch), { raw: { width: w, height: w, channels: ch } });
        if (ch === 1) img = img.toColourspace("b-w");
        const tiff = new Uint8Array(await img.tiff({ compression, predictor }).toBuffer());
        const ref = await sharp(tiff).raw().toBuffer({ resolveWithObject: true });
        const got = await decodeTiff(tiff);
        const what = `${ch} channels, ${compression}, predictor ${predictor}`;
        assert.equal(got.channels, ch === 1 ? 1 : 3, what);
        for (let i = 0; i < w * w; i++) {
          for (let c = 0; c < got.channels; c++) {
            if (got.data[i * got.channels + c] !== ref.data[i * ref.info.channels + c]) {
              assert.fail(`${what}: pixel ${i} channel ${c} differs`);
            }
          }
        }
      }
    }
  }
});

Deno.test("decodeTiff explains what it does not support", async () => {
  const tiled = new Uint8Array(
    await sharp(pattern(64 * 64 * 3), { raw: { width: 64, height: 64, channels: 3 } })
      .tiff({ tile: true, tileWidth: 16, tileHeight: 16 }).toBuffer(),
  );
  await assert.rejects(decodeTiff(tiled), /unsupported TIFF: tiled layout/);
});
