/** The records that flow out of dataset sources. */

/** A decoded image: HWC bytes, 1 or 3 channels. */
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

/** An encoded image file as read from disk or a tar shard, not yet decoded. */
export interface EncodedSample {
  key: string;
  bytes: Uint8Array;
  label?: number;
}

/** What a source yields: encoded bytes, or pixels for formats that store them raw (IDX, CIFAR). */
export type Sample = EncodedSample | RawImage;

/** True when the sample still needs decoding. */
export function isEncoded(sample: Sample): sample is EncodedSample {
  return "bytes" in sample;
}
