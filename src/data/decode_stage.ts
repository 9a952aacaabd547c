/** Decoding stages: on this thread, or in a pool of workers; both apply `onError`. */
import { parallelMap } from "../streams/parallel_map.ts";
import { pullStage, type StageOptions, type StreamPair } from "../streams/stage.ts";
import type { ChannelMode } from "./decoder.ts";
import { createMapper, type DecodeFailure } from "./decode_worker.ts";
import type { DecoderName } from "./decoders.ts";
import { DataError, type OnError, SkipLog } from "./errors.ts";
import type { RawImage, Sample } from "./sample.ts";

/**
 * Options of the decode stages.
 *
 * @example
 * ```ts
 * samples.pipeThrough(decodeImages({ decoder: "imagescript", channels: "auto", onError: "skip" }));
 * ```
 */
export interface DecodeOptions extends StageOptions {
  /** `imagescript` (default) or `sharp`. */
  decoder?: DecoderName;
  /** `"auto"` (gray files give 1 channel, others 3; default), or force 1 or 3. */
  channels?: ChannelMode;
  /** `"fail"` (default) errors the stream naming the file; `"skip"` counts and drops. */
  onError?: OnError;
  /** Where skips are counted and reported per epoch (default: a new log, console.warn). */
  skips?: SkipLog;
}

/**
 * Options of {@link parallelDecode}.
 *
 * @example
 * ```ts
 * samples.pipeThrough(parallelDecode({ workers: 2, inFlight: 8, decoder: "sharp" }));
 * ```
 */
export interface ParallelDecodeOptions extends DecodeOptions {
  /** Workers (default `navigator.hardwareConcurrency`). */
  workers?: number;
  /** Items in flight in the pool (default 2 x workers). */
  inFlight?: number;
}

/**
 * Decodes encoded samples on this thread (decoded ones pass through).
 *
 * @example
 * ```ts
 * const images = samples.pipeThrough(decodeImages({ channels: 3, onError: "skip" }));
 * ```
 */
export function decodeImages<S extends Sample>(
  options: DecodeOptions = {},
): StreamPair<S, RawImage & Omit<S, "bytes">> {
  const mapper = createMapper({ decoder: options.decoder, channels: options.channels });
  const skips = (options.skips ?? new SkipLog()).tracker();
  const onError = options.onError ?? "fail";
  return pullStage<S, RawImage & Omit<S, "bytes">>("decode", options, 0, (up) => ({
    async pull(c) {
      const decode = await mapper;
      for (;;) {
        const r = await up.read();
        if (r.done) {
          skips.done();
          return c.close();
        }
        const epoch = (r.value as { epoch?: number }).epoch;
        if (epoch !== undefined) skips.at(epoch);
        const out = await decode(r.value);
        if (!("failed" in out)) return c.enqueue(out as RawImage & Omit<S, "bytes">);
        settleFailure(out, onError, skips);
      }
    },
    cancel: () => skips.done(),
  }));
}

/**
 * Decodes in a pool of workers (`parallelMap` over `decode_worker.ts`), output in input
 * order; encoded bytes are transferred to the workers and pixels back.
 *
 * @example
 * ```ts
 * const images = samples.pipeThrough(parallelDecode({ workers: 2, decoder: "sharp" }));
 * ```
 */
export function parallelDecode<S extends Sample>(
  options: ParallelDecodeOptions = {},
): StreamPair<S, RawImage & Omit<S, "bytes">> {
  const pool = parallelMap<S, RawImage | DecodeFailure>(
    new URL("./decode_worker.ts", import.meta.url),
    {
      workers: options.workers,
      inFlight: options.inFlight,
      init: { decoder: options.decoder, channels: options.channels },
      name: options.name ?? "decode",
      telemetry: options.telemetry,
    },
  );
  const skips = (options.skips ?? new SkipLog()).tracker();
  const onError = options.onError ?? "fail";
  const settle = pullStage<RawImage | DecodeFailure, RawImage & Omit<S, "bytes">>(
    "settle",
    {},
    0,
    (up) => ({
      async pull(c) {
        for (;;) {
          const r = await up.read();
          if (r.done) {
            skips.done();
            return c.close();
          }
          const epoch = (r.value as { epoch?: number }).epoch;
          if (epoch !== undefined) skips.at(epoch);
          if (!("failed" in r.value)) return c.enqueue(r.value as RawImage & Omit<S, "bytes">);
          settleFailure(r.value, onError, skips);
        }
      },
      cancel: () => skips.done(),
    }),
  );
  return { writable: pool.writable, readable: pool.readable.pipeThrough(settle) };
}

function settleFailure(f: DecodeFailure, onError: OnError, skips: ReturnType<SkipLog["tracker"]>) {
  const message = f.failed.startsWith(`${f.key}: `) ? f.failed.slice(f.key.length + 2) : f.failed;
  const error = new DataError(f.key, message);
  if (onError === "fail") throw error;
  skips.record(error, f.epoch ?? 0);
}
