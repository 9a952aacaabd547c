/** The records that flow out of dataset sources. */

/**
 * A decoded image: HWC bytes, 1 or 3 channels.
 *
 * @example
 * ```ts
 * const img: RawImage = { key: "x", width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) };
 * ```
 */
export interface RawImage {
  /** Stable identifier of the sample (file path, `shard.tar:key`, `train[123]`). */
  key: string;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Pixels, row-major HWC, `height * width * channels` bytes. */
  data: Uint8Array;
  /** Class index, when the source knows it. */
  label?: number;
}

/**
 * An encoded image file as read from disk or a tar shard, not yet decoded.
 *
 * @example
 * ```ts
 * const s: EncodedSample = { key: "cat/1.png", bytes: await Deno.readFile("cat/1.png"), label: 0 };
 * ```
 */
export interface EncodedSample {
  key: string;
  bytes: Uint8Array;
  label?: number;
}

/**
 * What a source yields: encoded bytes, or pixels for formats that store them raw (IDX, CIFAR).
 *
 * @example
 * ```ts
 * function describe(s: Sample) { return isEncoded(s) ? s.bytes.length : s.width; }
 * ```
 */
export type Sample = EncodedSample | RawImage;

/**
 * True when the sample still needs decoding.
 *
 * @example
 * ```ts
 * if (isEncoded(sample)) image = await decodeSample(decoder, sample);
 * ```
 */
export function isEncoded(sample: Sample): sample is EncodedSample {
  return "bytes" in sample;
}
