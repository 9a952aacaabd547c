/**
 * The worker module of the evaluation input: decode (when the sample is an encoded file), convert
 * to the model's channels, and the evaluation transform (`evalView`: centred square resized to the
 * run's size, the run's normalization). `parallelMap` imports it in each worker of its pool and
 * calls `createMapper(init)`.
 */
import type { EvalViewSpec } from "../augment/eval_view.ts";
import { evalView } from "../augment/eval_view.ts";
import { ResizeWorkspace } from "../augment/resize.ts";
import { samplePixels } from "../data/decoder.ts";
import { createDecoder, type DecoderName } from "../data/decoders.ts";
import type { Sample } from "../data/sample.ts";

/** Structured-clonable set-up of an evaluation-view worker. */
export interface EvalViewWorkerInit {
  view: EvalViewSpec;
  /** Channels the model takes: images are converted to it. */
  channels: 1 | 3;
  /** Image decoder for encoded files (default imagescript). */
  decoder?: DecoderName;
  /** `skip`: an undecodable sample comes back as an {@link EvalViewFailure} instead of an error. */
  onError?: "fail" | "skip";
}

/** One evaluation view: `size * size * channels` normalized values, HWC. */
export interface EvalViewItem {
  key: string;
  label?: number;
  /** Index of the sample in its dataset, when it came from an indexed one. */
  index?: number;
  view: Float32Array;
}

/** What comes back for a sample skipped under `onError: "skip"`. */
export interface EvalViewFailure {
  failed: string;
  key: string;
}

/** A sample as the worker takes it: an encoded file or pixels, optionally with its index. */
export type EvalViewInput = Sample & { index?: number };

/** The factory `parallelMap` calls once per worker (and the inline path once). */
export async function createMapper(
  init: EvalViewWorkerInit,
): Promise<(s: EvalViewInput) => Promise<EvalViewItem | EvalViewFailure>> {
  const decoder = await createDecoder(init.decoder ?? "imagescript");
  const ws = new ResizeWorkspace();
  return async (sample) => {
    try {
      const image = await samplePixels(decoder, sample, init.channels);
      const item: EvalViewItem = {
        key: sample.key,
        view: evalView(image, init.view, undefined, ws).data,
      };
      if (sample.label !== undefined) item.label = sample.label;
      if (sample.index !== undefined) item.index = sample.index;
      return item;
    } catch (err) {
      if (init.onError !== "skip") throw err;
      return { failed: err instanceof Error ? err.message : String(err), key: sample.key };
    }
  };
}
