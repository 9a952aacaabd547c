/** Channel conversions of decoded pixels. */
import type { RawImage } from "./sample.ts";

/**
 * Pixels without the sample's key and label.
 */
export type Pixels = Pick<RawImage, "width" | "height" | "channels" | "data">;

/**
 * Converts pixels to 1 channel (ITU-R BT.601 luma, rounded) or 3 (gray repeated).
 */
export function convertChannels(px: Pixels, channels: 1 | 3): Pixels {
  if (px.channels === channels) return px;
  const n = px.width * px.height;
  const data = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let i = 0; i < n; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = px.data[i];
  } else {
    const s = px.data;
    for (let i = 0; i < n; i++) {
      data[i] = Math.round(0.299 * s[3 * i] + 0.587 * s[3 * i + 1] + 0.114 * s[3 * i + 2]);
    }
  }
  return { width: px.width, height: px.height, channels, data };
}

/**
 * Drops alpha from RGBA pixels, keeping 1 channel (red) for a gray file or 3.
 */
export function fromRgba(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  gray: boolean,
): Pixels {
  const n = width * height;
  if (gray) {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = rgba[4 * i];
    return { width, height, channels: 1, data };
  }
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[3 * i] = rgba[4 * i];
    data[3 * i + 1] = rgba[4 * i + 1];
    data[3 * i + 2] = rgba[4 * i + 2];
  }
  return { width, height, channels: 3, data };
}
