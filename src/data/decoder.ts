/**
 * The image decoder interface, and turning an encoded sample into a `RawImage` with errors
 * that name the sample.
 */
import { DataError } from "./errors.ts";
import { checkComplete, type ImageFormat, sniffFormat, storesGray } from "./image_format.ts";
import { type EncodedSample, isEncoded, type RawImage, type Sample } from "./sample.ts";

/**
 * Pixels without the sample's key and label.
 *
 * @example
 * ```ts
 * const { width, height, channels, data }: Pixels = await decoder.decode(bytes, "png", false);
 * ```
 */
export type Pixels = Pick<RawImage, "width" | "height" | "channels" | "data">;

/**
 * Channel count wanted from a decoder: as stored (gray stays 1), or forced to 1 or 3.
 *
 * @example
 * ```ts
 * const image = await decodeSample(decoder, sample, 3 satisfies ChannelMode);
 * ```
 */
export type ChannelMode = "auto" | 1 | 3;

/**
 * A decoder: bytes of a PNG/JPEG/GIF/TIFF file in, HWC uint8 pixels out (1 channel for a
 * gray file, else 3; alpha dropped; 16-bit samples reduced to 8). Throws a plain Error on
 * bad data; {@link decodeSample} adds the sample's name.
 *
 * @example
 * ```ts
 * const decoder: ImageDecoder = await createDecoder("imagescript");
 * const { width, height, channels, data } = await decoder.decode(bytes, "png", false);
 * ```
 */
export interface ImageDecoder {
  readonly name: string;
  /** `format` comes from {@link sniffFormat}; `gray` is whether the file stores gray. */
  decode(bytes: Uint8Array, format: ImageFormat, gray: boolean): Promise<Pixels>;
}

/**
 * Decodes an encoded sample into a `RawImage`, checking format and completeness first.
 * Fields other than `bytes` (key, label, epoch, index, ...) are kept.
 * Errors are {@link DataError}s naming the sample key and the problem.
 *
 * @example
 * ```ts
 * const image = await decodeSample(decoder, { key: "cat/1.jpg", bytes, label: 3 });
 * ```
 */
export async function decodeSample(
  decoder: ImageDecoder,
  sample: EncodedSample,
  channels: ChannelMode = "auto",
): Promise<RawImage> {
  const sniff = sniffFormat(sample.bytes);
  if ("problem" in sniff) throw new DataError(sample.key, sniff.problem);
  const incomplete = checkComplete(sample.bytes, sniff.format);
  if (incomplete) {
    throw new DataError(sample.key, incomplete, "re-copy or re-download the file");
  }
  let px: Pixels;
  try {
    px = await decoder.decode(sample.bytes, sniff.format, storesGray(sample.bytes, sniff.format));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new DataError(
      sample.key,
      `cannot decode ${sniff.format.toUpperCase()} (${decoder.name}): ${why}`,
    );
  }
  const want = channels === "auto" ? px.channels : channels;
  // Other fields of the sample (label, epoch, index, ...) carry over.
  const { bytes: _bytes, ...rest } = sample;
  return { ...rest, ...convertChannels(px, want) } as RawImage;
}

/**
 * A sample as pixels with `channels` channels: decoded when it is an encoded file, converted
 * when it is stored with other channels (e.g. gray IDX records for a 3-channel model).
 *
 * @example
 * ```ts
 * const image = await samplePixels(decoder, sample, 3);
 * ```
 */
export async function samplePixels(
  decoder: ImageDecoder,
  sample: Sample,
  channels: 1 | 3,
): Promise<RawImage> {
  const image = isEncoded(sample) ? await decodeSample(decoder, sample, channels) : sample;
  return image.channels === channels
    ? image
    : { ...image, ...convertChannels(image, channels) } as RawImage;
}

/**
 * Converts pixels to 1 channel (ITU-R BT.601 luma, rounded) or 3 (gray repeated).
 *
 * @example
 * ```ts
 * const gray = convertChannels(rgbPixels, 1);
 * ```
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
 *
 * @example
 * ```ts
 * const px = fromRgba(image.bitmap, image.width, image.height, false);
 * ```
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
