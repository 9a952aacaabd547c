/**
 * The worker module of the training input: decode (when the sample is an encoded file) and
 * paired SimCLR augmentation, in one worker so pixels never cross threads twice.
 * `parallelMap` imports it in each worker of its pool and calls `createMapper(init)`.
 */
import { decodeSample } from "../data/decoder.ts";
import { convertChannels } from "../data/_pixels.ts";
import { createDecoder, type DecoderName } from "../data/decoders.ts";
import type { IndexedSample } from "../data/indexed.ts";
import { isEncoded, type RawImage } from "../data/sample.ts";
import { pairedViews, type PairedViewsConfig } from "../augment/paired.ts";
import type { ViewPair } from "../augment/view_pair.ts";

/** Structured-clonable set-up of a view worker. */
export interface ViewWorkerInit {
  augment: PairedViewsConfig;
  /** Image decoder for encoded files (default imagescript). */
  decoder?: DecoderName;
  /** Pixel limit of a decode (`data.maxPixels`; default the decoder's). */
  maxPixels?: number;
  /** Channels the model takes: images are converted to it. */
  channels: 1 | 3;
  /** `skip`: an undecodable sample comes back as a {@link ViewFailure} instead of an error. */
  onError?: "fail" | "skip";
}

/** What comes back for a sample skipped under `onError: "skip"`. */
export interface ViewFailure {
  failed: string;
  key: string;
  epoch: number;
  index: number;
}

/** The factory `parallelMap` calls once per worker. */
export async function createMapper(
  init: ViewWorkerInit,
): Promise<(s: IndexedSample) => Promise<ViewPair | ViewFailure>> {
  const views = pairedViews(init.augment);
  const decoder = await createDecoder(init.decoder ?? "imagescript", {
    maxPixels: init.maxPixels,
  });
  return async (sample) => {
    try {
      let image: RawImage = isEncoded(sample)
        ? await decodeSample(decoder, sample, init.channels)
        : sample;
      if (image.channels !== init.channels) {
        image = { ...image, ...convertChannels(image, init.channels) } as RawImage;
      }
      const pair = views(image, sample.epoch, sample.index);
      pair.position = sample.position;
      return pair;
    } catch (err) {
      if (init.onError !== "skip") throw err;
      return {
        failed: err instanceof Error ? err.message : String(err),
        key: sample.key,
        epoch: sample.epoch,
        index: sample.index,
      };
    }
  };
}
