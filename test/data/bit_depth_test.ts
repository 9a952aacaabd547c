import assert from "node:assert/strict";
import sharp from "sharp";
import { lowRangeWarning, reduceTo8Bit } from "../../src/data/_bit_depth.ts";
import { decodeSample, type ImageDecoder } from "../../src/data/decoder.ts";
import { createDecoder } from "../../src/data/decoders.ts";
import { encodePng, encodeTiff } from "./fixtures/png.ts";

const decoders: ImageDecoder[] = [await createDecoder("imagescript"), await createDecoder("sharp")];
/** The documented rule, written independently of the code under test. */
const rule = (v: number) => Math.round(v * 255 / 65535);

Deno.test("reduceTo8Bit is round(v * 255 / 65535) for every 16-bit value", () => {
  const all = Uint16Array.from({ length: 65536 }, (_, v) => v);
  const { data, min, max } = reduceTo8Bit(all);
  for (let v = 0; v < 65536; v++) if (data[v] !== rule(v)) assert.fail(`value ${v}: ${data[v]}`);
  assert.deepEqual([min, max], [0, 65535]);
  assert.deepEqual(Array.from(reduceTo8Bit(Uint16Array.of(128, 129, 385, 386)).data), [0, 1, 1, 2]);
});

Deno.test("lowRangeWarning: under 32 of 256 levels after scaling, flat images excepted", () => {
  assert.match(lowRangeWarning(0, 255)!, /span only 0\.\.255 of 0\.\.65535.*span 0\.\.1/);
  assert.match(lowRangeWarning(0, 4095)!, /span 0\.\.16/); // 12-bit data
  assert.equal(lowRangeWarning(0, 65535), undefined);
  assert.equal(lowRangeWarning(0, 32 * 257), undefined); // 0..32: 33 levels
  assert.equal(lowRangeWarning(1000, 1000), undefined);
});

const W = 7, H = 5, N = W * H;
// Values on both sides of every rounding boundary that matters, then a spread.
const EDGES = [0, 1, 127, 128, 129, 255, 256, 257, 385, 386, 32767, 32768, 65407, 65408, 65535];
const values = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => i < EDGES.length ? EDGES[i] : (i * 7919 + salt) & 0xffff);

/** 16-bit files of every layout we read, with the 8-bit pixels the rule gives. */
async function sixteenBitFiles() {
  const out: { name: string; bytes: Uint8Array; channels: 1 | 3; expect: number[] }[] = [];
  const g = values(N, 1), rgb = values(3 * N, 2);
  const ga = values(2 * N, 3), rgba = values(4 * N, 4);
  const png = (colorType: 0 | 2 | 4 | 6, samples: number[]) =>
    encodePng({ width: W, height: H, colorType, depth: 16, samples });
  const every = (s: number[], step: number, take: number) =>
    s.filter((_, i) => i % step < take).map(rule);
  out.push(
    { name: "PNG gray", bytes: await png(0, g), channels: 1, expect: g.map(rule) },
    { name: "PNG gray + alpha", bytes: await png(4, ga), channels: 1, expect: every(ga, 2, 1) },
    { name: "PNG RGB", bytes: await png(2, rgb), channels: 3, expect: rgb.map(rule) },
    { name: "PNG RGBA", bytes: await png(6, rgba), channels: 3, expect: every(rgba, 4, 3) },
  );
  for (const [channels, s] of [[1, g], [3, rgb]] as const) {
    const raw = sharp(Uint16Array.from(s), { raw: { width: W, height: H, channels } })
      .toColourspace(channels === 1 ? "grey16" : "rgb16");
    out.push({
      name: `PNG ${channels === 1 ? "gray" : "RGB"} Adam7-interlaced, filtered (libvips)`,
      bytes: new Uint8Array(await raw.clone().png({ progressive: true }).toBuffer()),
      channels,
      expect: s.map(rule),
    });
    out.push({
      name: `TIFF ${channels === 1 ? "gray" : "RGB"} deflate + predictor (libvips)`,
      bytes: new Uint8Array(
        await raw.clone().tiff({ compression: "deflate", predictor: "horizontal" }).toBuffer(),
      ),
      channels,
      expect: s.map(rule),
    });
    for (const bigEndian of [false, true]) {
      out.push({
        name: `TIFF ${channels === 1 ? "gray" : "RGB"} ${bigEndian ? "big" : "little"}-endian`,
        bytes: encodeTiff(W, H, channels, s, { depth: 16, bigEndian }),
        channels,
        expect: s.map(rule),
      });
    }
  }
  return out;
}

Deno.test("16-bit PNG and TIFF (both byte orders): both decoders give round(v * 255 / 65535)", async () => {
  for (const f of await sixteenBitFiles()) {
    for (const d of decoders) {
      const img = await decodeSample(d, { key: f.name, bytes: f.bytes.slice() });
      assert.deepEqual([img.width, img.height, img.channels], [W, H, f.channels], f.name);
      assert.deepEqual(Array.from(img.data), f.expect, `${d.name} on ${f.name}`);
    }
  }
});

/** Runs `fn` with console.warn captured. */
async function capturingWarnings(fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return warnings;
}

Deno.test("8-bit data in 16-bit files (scikit-image's chessboard_GRAY_U16) decodes by the rule and warns once per file", async () => {
  // A chessboard of 0 and 255 stored in 16-bit samples: imagescript once kept the high byte
  // (all 0), sharp divided by 257 (0 and 1); the rule gives 0 and 1 with a warning.
  const board = Array.from({ length: 8 * 8 }, (_, i) => ((i >> 3) + (i & 7)) % 2 ? 255 : 0);
  const files: [string, Uint8Array][] = [
    [
      "board16.png",
      await encodePng({ width: 8, height: 8, colorType: 0, depth: 16, samples: board }),
    ],
    ["board16-le.tif", encodeTiff(8, 8, 1, board, { depth: 16 })],
    ["board16-be.tif", encodeTiff(8, 8, 1, board, { depth: 16, bigEndian: true })],
  ];
  const warnings = await capturingWarnings(async () => {
    for (const [key, bytes] of files) {
      for (const d of decoders) {
        for (let epoch = 0; epoch < 2; epoch++) {
          const img = await decodeSample(d, { key, bytes: bytes.slice() });
          assert.deepEqual(Array.from(img.data), board.map(rule), `${d.name} ${key}`);
          assert.equal(img.data.reduce((s, v) => s + v, 0) / 64, 0.5);
        }
      }
    }
    // Full-range 16-bit data: no warning.
    const full = Array.from({ length: 64 }, (_, i) => i * 1040);
    const png = await encodePng({ width: 8, height: 8, colorType: 0, depth: 16, samples: full });
    for (const d of decoders) await decodeSample(d, { key: "full16.png", bytes: png.slice() });
  });
  assert.equal(warnings.length, files.length, warnings.join("\n"));
  files.forEach(([key], i) => {
    assert.ok(warnings[i].startsWith(`${key}: 16-bit samples span only 0..255`), warnings[i]);
    assert.match(warnings[i], /rescale them to the full range/);
  });
});
