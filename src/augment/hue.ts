/** Hue rotation through HSV, with torchvision's float `_rgb2hsv` / `_hsv2rgb` formulas. */

import type { FloatImage } from "./image.ts";

/**
 * Adds `shift` (in turns, [-0.5, 0.5]) to the hue of every RGB pixel, modulo 1, in place;
 * 1-channel images are unchanged.
 *
 * For example:
 * ```text
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
  const turn = 6 * shift; // in sextants of the wheel
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    const max = r > g ? (r > b ? r : b) : (g > b ? g : b);
    const min = r < g ? (r < b ? r : b) : (g < b ? g : b);
    const cr = max - min;
    if (cr === 0) continue; // gray: hue has no effect
    // Hue in sextants [0, 6): torchvision's _rgb2hsv, where (max - b) - (max - g) = g - b.
    let h = max === r ? (g - b) / cr : max === g ? 2 + (b - r) / cr : 4 + (r - g) / cr;
    h += turn;
    while (h < 0) h += 6;
    while (h >= 6) h -= 6;
    const k = Math.floor(h);
    const f = h - k;
    // _hsv2rgb with v = max, s = cr / max: p = v(1-s) = min, q = v(1-sf) = max - cr f,
    // t = v(1-s(1-f)) = min + cr f (all within [0, 1], so no clamping is needed).
    const q = max - cr * f, t = min + cr * f;
    switch (k) {
      case 0:
        d[i] = max, d[i + 1] = t, d[i + 2] = min;
        break;
      case 1:
        d[i] = q, d[i + 1] = max, d[i + 2] = min;
        break;
      case 2:
        d[i] = min, d[i + 1] = max, d[i + 2] = t;
        break;
      case 3:
        d[i] = min, d[i + 1] = q, d[i + 2] = max;
        break;
      case 4:
        d[i] = t, d[i + 1] = min, d[i + 2] = max;
        break;
      default:
        d[i] = max, d[i + 1] = min, d[i + 2] = q;
    }
  }
  return img;
}
