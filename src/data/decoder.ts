/**
 * The image decoder interface, and turning an encoded sample into a `RawImage` with errors
 * that name the sample.
 */
import { DataError } from "./errors.ts";
import { lowRangeWarning, reduceTo8Bit } from "./_bit_depth.ts";
import { checkComplete, sniffFormat } from "./_image_format.ts";
import { readImageHeader } from "./_image_header.ts";
import { convertChannels, type Pixels } from "./_pixels.ts";
import { DEFAULT_MAX_PIXELS } from "./limits.ts";
import { type EncodedSample, isEncoded, type RawImage, type Sample } from "./sample.ts";

/**
 * Formats the decoders read.
 *
 * @example The format a decoder is told, in the header
 * ```ts
 * import type { ImageDecoder, ImageFormat } from "@simclr/streams/data";
 * import { decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const formats: ImageFormat[] = [];
 * const noting: ImageDecoder = {
 *   name: "noting",
 *   decode: (_bytes, h) => {
 *     formats.push(h.format);
 *     return Promise.resolve({ width: h.width, height: h.height, channels: 1, data: new Uint8Array(h.width * h.height) });
 *   },
 * };
 * await decodeSample(noting, { key: "a.png", bytes: await new Image(2, 2).encode() });
 * await decodeSample(noting, { key: "a.jpg", bytes: await new Image(2, 2).encodeJPEG() });
 * assert.deepEqual(formats, ["png", "jpeg"]);
 * ```
 */
export type ImageFormat = "png" | "jpeg" | "gif" | "tiff";

/**
 * The header of an encoded image.
 *
 * @example What a decoder gets for an 8-bit colour PNG
 * ```ts
 * import type { ImageDecoder, ImageHeader } from "@simclr/streams/data";
 * import { decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * let seen: ImageHeader | undefined;
 * const blank: ImageDecoder = {
 *   name: "blank",
 *   decode: (_bytes, header) => {
 *     seen = header;
 *     const { width, height } = header;
 *     return Promise.resolve({ width, height, channels: 1, data: new Uint8Array(width * height) });
 *   },
 * };
 * await decodeSample(blank, { key: "a.png", bytes: await new Image(5, 3).encode() });
 * assert.deepEqual(seen, { format: "png", width: 5, height: 3, depth: 8, gray: false });
 * ```
 */
export interface ImageHeader {
  /** The format sniffed from the leading bytes. */
  format: ImageFormat;
  /** Size in pixels (GIF: the logical screen, grown to hold the first frame). */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bits per sample (8 for JPEG and GIF; 1, 2, 4, 8 or 16 for PNG and TIFF). */
  depth: number;
  /**
   * Whether the file stores gray pixels (PNG colour types 0 and 4, one-component JPEG,
   * TIFF photometric 0/1 with one sample). Palette and colour files count as colour.
   */
  gray: boolean;
}

/**
 * What a decoder returns: HWC pixels, 1 channel for a gray file else 3 (alpha dropped), with
 * 8-bit samples, or 16-bit ones for a 16-bit file ({@link decodeSample} reduces those by the
 * rule of `reduceTo8Bit`, the same for every decoder).
 *
 * @example A decoder returning 16-bit samples: `decodeSample` reduces them to 8 bits
 * ```ts
 * import type { DecodedPixels, ImageDecoder } from "@simclr/streams/data";
 * import { decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const deep: ImageDecoder = {
 *   name: "deep",
 *   decode: (_bytes, { width, height }) => {
 *     const px: DecodedPixels = { width, height, channels: 1, data: new Uint16Array(width * height).fill(65535) };
 *     return Promise.resolve(px);
 *   },
 * };
 * const image = await decodeSample(deep, { key: "a.png", bytes: await new Image(2, 1).encode() });
 * assert.deepEqual([...image.data], [255, 255]);
 * ```
 */
export interface DecodedPixels {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 for a gray file, else 3 (alpha dropped). */
  channels: 1 | 3;
  /** Row-major HWC samples: 8-bit, or 16-bit for a 16-bit file. */
  data: Uint8Array | Uint16Array;
}

/**
 * Channel count wanted from a decoder: as stored (gray stays 1), or forced to 1 or 3.
 *
 * @example A colour PNG as stored (3 channels) and as gray (1)
 * ```ts
 * import type { ChannelMode } from "@simclr/streams/data";
 * import { createDecoder, decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const decoder = await createDecoder();
 * const sample = { key: "a.png", bytes: await new Image(2, 2).fill(0x00ff00ff).encode() };
 * const modes: ChannelMode[] = ["auto", 1];
 * const images = await Promise.all(modes.map((m) => decodeSample(decoder, sample, m)));
 * assert.deepEqual(images.map((i) => i.channels), [3, 1]);
 * assert.equal(images[1].data[0], Math.round(0.587 * 255)); // BT.601 luma of pure green
 * ```
 */
export type ChannelMode = "auto" | 1 | 3;

/**
 * A decoder: bytes of a PNG/JPEG/GIF/TIFF file in, {@link DecodedPixels} out. Embedded ICC
 * profiles are ignored (pixel values are taken as sRGB, as PIL does). Throws a plain Error
 * on bad data; {@link decodeSample} adds the sample's name.
 *
 * @example A decoder of one's own: every image decodes to mid gray
 * ```ts
 * import type { ImageDecoder } from "@simclr/streams/data";
 * import { decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const gray: ImageDecoder = {
 *   name: "gray",
 *   maxPixels: 1000,
 *   decode: (_bytes, { width, height }) =>
 *     Promise.resolve({ width, height, channels: 1, data: new Uint8Array(width * height).fill(128) }),
 * };
 * const image = await decodeSample(gray, { key: "a.png", bytes: await new Image(3, 2).encode() }, 3);
 * assert.equal(image.data.length, 3 * 2 * 3);
 * assert.ok(image.data.every((v) => v === 128));
 * ```
 */
export interface ImageDecoder {
  /** The decoder's name, in error messages (`imagescript`, `sharp`, ...). */
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
 * @example Decoding a PNG made in memory; the key and label carry over
 * ```ts
 * import { createDecoder, decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const bytes = await new Image(2, 1).fill(0x0000ffff).encode(); // blue, 2x1
 * const image = await decodeSample(await createDecoder(), { key: "sky/1.png", bytes, label: 3 });
 * assert.deepEqual(
 *   { key: image.key, label: image.label, width: image.width, channels: image.channels },
 *   { key: "sky/1.png", label: 3, width: 2, channels: 3 },
 * );
 * assert.deepEqual([...image.data], [0, 0, 255, 0, 0, 255]);
 * ```
 *
 * @example A truncated file is a DataError naming the sample
 * ```ts
 * import { createDecoder, DataError, decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const bytes = (await new Image(8, 8).encode()).subarray(0, 40);
 * await assert.rejects(decodeSample(await createDecoder(), { key: "cut.png", bytes }), DataError);
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
 * @example A gray IDX-style record for a 3-channel model
 * ```ts
 * import { createDecoder, samplePixels } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const record = { key: "train[0]", width: 2, height: 1, channels: 1 as const, data: Uint8Array.of(10, 200) };
 * const image = await samplePixels(await createDecoder(), record, 3);
 * assert.equal(image.channels, 3);
 * assert.deepEqual([...image.data], [10, 10, 10, 200, 200, 200]);
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
