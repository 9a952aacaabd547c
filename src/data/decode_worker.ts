/**
 * The worker module for decoding in a `parallelMap` pool. A sample that fails to decode
 * comes back as a {@link DecodeFailure} so the main thread applies the error policy.
 */
import { type ChannelMode, decodeSample } from "./decoder.ts";
import { createDecoder, type DecoderName } from "./decoders.ts";
import { isEncoded, type RawImage, type Sample } from "./sample.ts";

/**
 * What the decode workers are started with.
 *
 * @example
 * ```ts
 * parallelMap(decodeWorkerUrl, { init: { decoder: "sharp", channels: 3 } satisfies DecodeWorkerInit });
 * ```
 */
export interface DecodeWorkerInit {
  decoder?: DecoderName;
  channels?: ChannelMode;
}

/**
 * A sample that could not be decoded: its key, the message, and its epoch when known.
 *
 * @example
 * ```ts
 * const out = await mapper(sample);
 * if ("failed" in out) console.warn(out.key, out.failed);
 * ```
 */
export interface DecodeFailure {
  key: string;
  failed: string;
  epoch?: number;
}

/**
 * The `parallelMap` factory: decodes encoded samples, passes decoded ones through.
 *
 * @example
 * ```ts
 * parallelMap(new URL("./decode_worker.ts", import.meta.url), { init: { decoder: "sharp" } });
 * ```
 */
export async function createMapper(init: DecodeWorkerInit = {}) {
  const decoder = await createDecoder(init.decoder ?? "imagescript");
  const channels = init.channels ?? "auto";
  return async (sample: Sample): Promise<RawImage | DecodeFailure> => {
    if (!isEncoded(sample)) return sample;
    try {
      return await decodeSample(decoder, sample, channels);
    } catch (error) {
      const failure: DecodeFailure = {
        key: sample.key,
        failed: error instanceof Error ? error.message : String(error),
      };
      const epoch = (sample as { epoch?: number }).epoch;
      if (epoch !== undefined) failure.epoch = epoch;
      return failure;
    }
  };
}
