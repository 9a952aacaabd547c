/** Hue rotation through HSV, with torchvision's float `_rgb2hsv` / `_hsv2rgb` formulas. */

import type { FloatImage } from "./image.ts";

/**
 * Adds `shift` (in turns, [-0.5, 0.5]) to the hue of every RGB pixel, modulo 1, in place;
 * 1-channel images are unchanged.
 *
 * @example
 * ```ts
 * const img = floatImage(1, 1, 3, new Float32Array([1, 0, 0]));
 * adjustHue(img, 1 / 3); // red becomes green: [0, 1, 0]
 * ```
 */
export function adjustHue(img: FloatImage, shift: number): FloatImage {
  if (!(shift >= -0.5 && shift <= 0.5)) {
    throw new RangeError(`adjustHue: shift ${shift} is outside [-0.5, 0.5] (turns of the wheel)`);
  }
  if (img.channels !== 3) return img;
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    const max = r > g ? (r > b ? r : b) : (g > b ? g : b);
    const min = r < g ? (r < b ? r : b) : (g < b ? g : b);
    const cr = max - min;
    if (cr === 0) continue; // gray: hue has no effect
    const s = cr / max;
    let h: number;
    if (max === r) h = ((max - b) - (max - g)) / cr;
    else if (max === g) h = 2 + ((max - r) - (max - b)) / cr;
    else h = 4 + ((max - g) - (max - r)) / cr;
    h = h / 6 + 1 + shift;
    h -= Math.floor(h);
    const h6 = h * 6;
    const k = Math.floor(h6);
    const f = h6 - k;
    const v = max;
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    p = p < 0 ? 0 : p > 1 ? 1 : p;
    q = q < 0 ? 0 : q > 1 ? 1 : q;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    switch (k % 6) {
      case 0:
        d[i] = v, d[i + 1] = t, d[i + 2] = p;
        break;
      case 1:
        d[i] = q, d[i + 1] = v, d[i + 2] = p;
        break;
      case 2:
        d[i] = p, d[i + 1] = v, d[i + 2] = t;
        break;
      case 3:
        d[i] = p, d[i + 1] = q, d[i + 2] = v;
        break;
      case 4:
        d[i] = t, d[i + 1] = p, d[i + 2] = v;
        break;
      default:
        d[i] = v, d[i + 1] = p, d[i + 2] = q;
    }
  }
  return img;
}
