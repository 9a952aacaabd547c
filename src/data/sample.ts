/** The records that flow out of dataset sources. */

/**
 * A decoded image: HWC bytes, 1 or 3 channels.
 *
 * @example A 2x1 gray image
 * ```ts
 * import type { RawImage } from "@simclr/streams/data";
 * import { isEncoded } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const img: RawImage = { key: "x", width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) };
 * assert.equal(img.data.length, img.width * img.height * img.channels);
 * assert.equal(isEncoded(img), false);
 * ```
 */
export interface RawImage {
  /** Stable identifier of the sample (file path, `shard.tar:key`, `train[123]`). */
  key: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Channels per pixel: 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** Pixels, row-major HWC, `height * width * channels` bytes. */
  data: Uint8Array;
  /** Class index, when the source knows it. */
  label?: number;
}

/**
 * An encoded image file as read from disk or a tar shard, not yet decoded.
 *
 * @example A PNG file's bytes, decoded by `decodeSample`
 * ```ts
 * import type { EncodedSample } from "@simclr/streams/data";
 * import { createDecoder, decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const bytes = await new Image(3, 2).fill(0xff0000ff).encode(); // a red 3x2 PNG
 * const s: EncodedSample = { key: "cat/1.png", bytes, label: 0 };
 * const image = await decodeSample(await createDecoder(), s);
 * assert.deepEqual([image.key, image.width, image.height, image.label], ["cat/1.png", 3, 2, 0]);
 * ```
 */
export interface EncodedSample {
  /** Stable identifier of the sample (file path, `shard.tar:key`). */
  key: string;
  /** The encoded file (PNG, JPEG, GIF or TIFF). */
  bytes: Uint8Array;
  /** Class index, when the source knows it. */
  label?: number;
}

/**
 * What a source yields: encoded bytes, or pixels for formats that store them raw (IDX, CIFAR).
 *
 * @example Telling the two kinds apart
 * ```ts
 * import type { Sample } from "@simclr/streams/data";
 * import { isEncoded } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const describe = (s: Sample) => isEncoded(s) ? `${s.bytes.length} bytes` : `${s.width}x${s.height}`;
 * assert.equal(describe({ key: "a.png", bytes: new Uint8Array(10) }), "10 bytes");
 * assert.equal(describe({ key: "r", width: 2, height: 1, channels: 1, data: new Uint8Array(2) }), "2x1");
 * ```
 */
export type Sample = EncodedSample | RawImage;

/**
 * True when the sample still needs decoding.
 *
 * @example Encoded bytes versus raw pixels
 * ```ts
 * import { isEncoded } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isEncoded({ key: "a.png", bytes: new Uint8Array(8) }), true);
 * assert.equal(isEncoded({ key: "r", width: 1, height: 1, channels: 1, data: Uint8Array.of(7) }), false);
 * ```
 */
export function isEncoded(sample: Sample): sample is EncodedSample {
  return "bytes" in sample;
}
