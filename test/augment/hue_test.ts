import assert from "node:assert/strict";
import { adjustHue } from "../../src/augment/hue.ts";
import { floatImage } from "../../src/augment/_image.ts";
import { assertClose } from "./_images.ts";

const rot = (rgb: number[], shift: number) =>
  Array.from(adjustHue(floatImage(1, 1, 3, Float32Array.from(rgb)), shift).data);

Deno.test("hue rotation of pure colours follows the colour wheel", () => {
  assertClose(rot([1, 0, 0], 1 / 3), [0, 1, 0], 1e-6, "red +1/3 -> green");
  assertClose(rot([1, 0, 0], -1 / 3), [0, 0, 1], 1e-6, "red -1/3 -> blue");
  assertClose(rot([0, 1, 0], 1 / 3), [0, 0, 1], 1e-6, "green +1/3 -> blue");
  assertClose(rot([1, 0, 0], 1 / 6), [1, 1, 0], 1e-6, "red +1/6 -> yellow");
  assertClose(rot([1, 0, 0], 0.5), [0, 1, 1], 1e-6, "red +1/2 -> cyan");
  assertClose(rot([0, 0, 1], 0.5), [1, 1, 0], 1e-6, "blue +1/2 -> yellow");
  assertClose(rot([0.5, 0, 0], 1 / 3), [0, 0.5, 0], 1e-6, "dark red keeps its value");
  assertClose(
    rot([0.4, 0.4, 0.4], 0.3),
    Array.from(Float32Array.of(0.4, 0.4, 0.4)),
    0,
    "gray has no hue",
  );
});

/** Python's colorsys (an independent formulation), in turns. */
function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b), minc = Math.min(r, g, b);
  if (minc === maxc) return [0, 0, maxc];
  const s = (maxc - minc) / maxc;
  const rc = (maxc - r) / (maxc - minc),
    gc = (maxc - g) / (maxc - minc),
    bc = (maxc - b) / (maxc - minc);
  let h = r === maxc ? bc - gc : g === maxc ? 2 + rc - bc : 4 + gc - rc;
  h = (((h / 6) % 1) + 1) % 1;
  return [h, s, maxc];
}
function hsvToRgb(h: number, s: number, v: number): number[] {
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  return [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
}

Deno.test("hue rotation of arbitrary colours matches colorsys", () => {
  const colours = [[0.2, 0.6, 0.9], [0.9, 0.1, 0.4], [0.3, 0.3, 0.1], [1, 0.5, 0]];
  for (const c of colours) {
    for (const shift of [-0.45, -0.1, 0.05, 0.25, 0.5]) {
      const [h, s, v] = rgbToHsv(c[0], c[1], c[2]);
      assertClose(
        rot(c, shift),
        hsvToRgb((((h + shift) % 1) + 1) % 1, s, v),
        1e-5,
        `${c} ${shift}`,
      );
    }
  }
});

Deno.test("hue leaves 1-channel images and rejects shifts beyond half a turn", () => {
  const g = floatImage(1, 1, 1, Float32Array.from([0.3]));
  assert.equal(adjustHue(g, 0.2).data[0], Float32Array.from([0.3])[0]);
  assert.throws(() => adjustHue(g, 0.6), /shift 0.6 is outside \[-0.5, 0.5\]/);
});
