/**
 * The transforms replayed with fixed parameters against torchvision 0.14's float-tensor
 * functions (values recorded by _torchvision_fixture.py), an independent implementation.
 */
import { adjustBrightness, adjustContrast, adjustSaturation } from "../../src/augment/adjust.ts";
import { adjustHue } from "../../src/augment/hue.ts";
import { gaussianBlur } from "../../src/augment/blur.ts";
import { normalize } from "../../src/augment/normalize.ts";
import { resizedCrop } from "../../src/augment/resize.ts";
import { solarize } from "../../src/augment/solarize.ts";
import type { FloatImage } from "../../src/augment/image.ts";
import { assertClose } from "./_images.ts";

const tv = JSON.parse(
  Deno.readTextFileSync(new URL("./_torchvision_fixture.json", import.meta.url)),
);
const raw = {
  key: "tv",
  width: 12,
  height: 10,
  channels: 3 as const,
  data: Uint8Array.from(tv.image),
};
const base = (): FloatImage => resizedCrop(raw, { top: 0, left: 0, height: 10, width: 12 }, 8);

Deno.test("antialiased resized crop matches torchvision (up and down)", () => {
  assertClose(resizedCrop(raw, { top: 2, left: 3, height: 5, width: 4 }, 8).data, tv.crop_up, 1e-6);
  assertClose(
    resizedCrop(raw, { top: 1, left: 1, height: 9, width: 10 }, 4).data,
    tv.crop_down,
    1e-6,
  );
  assertClose(base().data, tv.base, 1e-6);
});

Deno.test("brightness, hue, blur, solarize, normalize match torchvision", () => {
  assertClose(adjustBrightness(base(), 1.3).data, tv.brightness, 1e-6);
  assertClose(adjustHue(base(), 0.23).data, tv.hue, 1e-6);
  assertClose(adjustHue(base(), -0.41).data, tv.hue_neg, 1e-6);
  assertClose(gaussianBlur(base(), 1.3, 5).data, tv.blur, 1e-6);
  assertClose(solarize(base(), 0.5).data, tv.solarize, 1e-6);
  assertClose(
    normalize(base(), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).data,
    tv.normalize,
    1e-5,
  );
});

Deno.test("contrast and saturation match torchvision up to its 0.2989 red weight", () => {
  // torchvision's tensor grayscale weighs red 0.2989; the issue (and PIL) say 0.299.
  assertClose(adjustContrast(base(), 0.6).data, tv.contrast, 1e-4);
  assertClose(adjustSaturation(base(), 1.7).data, tv.saturation, 1e-4);
});
