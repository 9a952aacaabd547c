/**
 * The image decoder interface, and turning an encoded sample into a `RawImage` with errors
 * that name the sample.
 */
import { DataError } from "./errors.ts";
import { lowRangeWarning, reduceTo8Bit } from "./bit_depth.ts";
import { checkComplete, sniffFormat } from "./image_format.ts";
import { type ImageHeader, readImageHeader } from "./image_header.ts";
import { DEFAULT_MAX_PIXELS } from "./limits.ts";
import { type EncodedSample, isEncoded, type RawImage, type Sample } from "./sample.ts";

/**
 * Pixels without the sample's key and label.
 */
export type Pixels = Pick<RawImage, "width" | "height" | "channels" | "data">;

/**
 * What a decoder returns: HWC pixels, 1 channel for a gray file else 3 (alpha dropped), with
 * 8-bit samples, or 16-bit ones for a 16-bit file ({@link decodeSample} reduces those by the
 * rule of `reduceTo8Bit`, the same for every decoder).
 *
 * @example
 * ```ts
 * const px: DecodedPixels = await decoder.decode(bytes, readImageHeader(bytes, "png"));
 * ```
 */
export interface DecodedPixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array | Uint16Array;
}

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
 * A decoder: bytes of a PNG/JPEG/GIF/TIFF file in, {@link DecodedPixels} out. Embedded ICC
 * profiles are ignored (pixel values are taken as sRGB, as PIL does). Throws a plain Error
 * on bad data; {@link decodeSample} adds the sample's name.
 *
 * @example
 * ```ts
 * const decoder: ImageDecoder = await createDecoder("imagescript");
 * const px = await decoder.decode(bytes, readImageHeader(bytes, "png"));
 * ```
 */
export interface ImageDecoder {
  readonly name: string;
  /**
   * Images with more pixels (width x height, from the header) are refused before decoding
   * (default {@link DEFAULT_MAX_PIXELS}; the pipeline's `data.maxPixels`).
   */
  readonly maxPixels?: number;
  /** `header` comes from `readImageHeader`, for a format {@link sniffFormat} found. */
  decode(bytes: Uint8Array, header: ImageHeader): Promise<DecodedPixels>;
}

/**
 * Decodes an encoded sample into a `RawImage`: checks format and completeness, reads the
 * header and refuses images over the decoder's pixel limit before decoding, then reduces
 * 16-bit samples to 8 bits (warning once per file whose samples use under 1/8 of the
 * 16-bit range). Fields other than `bytes` (key, label, epoch, index, ...) are kept.
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
  const format = sniff.format.toUpperCase();
  const incomplete = checkComplete(sample.bytes, sniff.format);
  if (incomplete) {
    throw new DataError(sample.key, incomplete, "re-copy or re-download the file");
  }
  let header: ImageHeader;
  try {
    header = readImageHeader(sample.bytes, sniff.format);
  } catch (error) {
    throw new DataError(sample.key, `cannot read the ${format} header: ${messageOf(error)}`);
  }
  checkPixels(sample.key, header, decoder.maxPixels ?? DEFAULT_MAX_PIXELS);
  let decoded: DecodedPixels;
  try {
    decoded = await decoder.decode(sample.bytes, header);
  } catch (error) {
    throw new DataError(
      sample.key,
      `cannot decode ${format} (${decoder.name}): ${messageOf(error)}`,
    );
  }
  let px: Pixels;
  if (decoded.data instanceof Uint16Array) {
    const { data, min, max } = reduceTo8Bit(decoded.data);
    const warning = lowRangeWarning(min, max);
    if (warning) warnOncePerFile(sample.key, warning);
    px = { ...decoded, data };
  } else {
    px = decoded as Pixels;
  }
  const want = channels === "auto" ? px.channels : channels;
  // Other fields of the sample (label, epoch, index, ...) carry over.
  const { bytes: _bytes, ...rest } = sample;
  return { ...rest, ...convertChannels(px, want) } as RawImage;
}

function checkPixels(key: string, h: ImageHeader, maxPixels: number): void {
  const pixels = h.width * h.height;
  if (pixels <= maxPixels) return;
  throw new DataError(
    key,
    `${h.width}x${h.height} ${h.format.toUpperCase()} has ${pixels} pixels, over the limit ` +
      `of ${maxPixels} (data.maxPixels); refused before decoding`,
    `raise data.maxPixels if the image is genuine (decoding holds about 18 bytes per pixel ` +
      `with imagescript, 7 with sharp), or shrink the file`,
  );
}

const MAX_WARNED_FILES = 20;
const warnedFiles = new Set<string>();

/** One console warning per file key, for the first {@link MAX_WARNED_FILES} files. */
function warnOncePerFile(key: string, message: string): void {
  if (warnedFiles.has(key) || warnedFiles.size >= MAX_WARNED_FILES) return;
  warnedFiles.add(key);
  const more = warnedFiles.size === MAX_WARNED_FILES
    ? ` (${MAX_WARNED_FILES} files warned; further ones are not listed)`
    : "";
  console.warn(`${key}: ${message}${more}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
