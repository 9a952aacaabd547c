/**
 * The one rule both decoders follow for 16-bit images: every sample is scaled from the full
 * 16-bit range to 8 bits with rounding to nearest, `round(v * 255 / 65535)` (sharp's own
 * rule for 16-bit RGB; its gray path rounds differently). Nothing is stretched by the image's
 * own range, so a file that stores 8- or 12-bit data in 16-bit samples decodes dark;
 * {@link lowRangeWarning} says so.
 */

/**
 * 16-bit samples reduced to 8 bits by `round(v * 255 / 65535)`, with the range of the input.
 */
export function reduceTo8Bit(words: Uint16Array): { data: Uint8Array; min: number; max: number } {
  const data = new Uint8Array(words.length);
  let min = 0xffff, max = 0;
  for (let i = 0; i < words.length; i++) {
    const v = words[i];
    // round(v / 257): v + 128.5 is never a multiple of 257, so no ties and floor works.
    data[i] = ((v + 128) / 257) | 0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { data, min, max };
}

/**
 * Levels an 8-bit result must span (max - min) for a non-flat 16-bit image to pass without
 * a warning: under 32 of 256 means the file uses under 1/8 of the 16-bit range.
 */
export const LOW_RANGE_LEVELS = 32;

/**
 * The warning for a 16-bit image whose samples span `min..max` and become a nearly flat
 * 8-bit image (fewer than {@link LOW_RANGE_LEVELS} levels), else undefined. Flat images
 * (`min === max`) lose nothing and get no warning.
 */
export function lowRangeWarning(min: number, max: number): string | undefined {
  const lo = ((min + 128) / 257) | 0, hi = ((max + 128) / 257) | 0;
  if (max === min || hi - lo >= LOW_RANGE_LEVELS) return undefined;
  return `16-bit samples span only ${min}..${max} of 0..65535; scaled to 8 bits ` +
    `(round(v * 255 / 65535)) they span ${lo}..${hi}, a nearly flat image. If the files ` +
    `hold 8- or 12-bit data in 16-bit samples, rescale them to the full range before training`;
}
