/**
 * Dataset sources and image decoding: IDX (MNIST, Fashion-MNIST), CIFAR-10/100 binary
 * batches, image folders, WebDataset tar shards (local or http), a registry that finds or
 * downloads named datasets, and decoders (imagescript, or sharp). Training decodes in its view
 * workers (src/pipeline/view_worker.ts), next to the augmentation. Bad input errors name the
 * file (and tar member), or is skipped and counted (`skipFailures`, one `SkipLog` per run).
 *
 * @example
 * ```ts
 * import { createDecoder, datasetSamples, decodeSample, isEncoded, openDataset } from "./src/data/mod.ts";
 * const opened = await openDataset("imagefolder", { path: "data/flowers" });
 * const decoder = await createDecoder("sharp");
 * for await (const s of datasetSamples(opened, { seed: 42, epochs: 1, onError: "skip" })) {
 *   const image = isEncoded(s) ? await decodeSample(decoder, s, 3) : s;
 *   console.log(s.epoch, s.index, image.width, image.height);
 * }
 * ```
 * @module
 */

export { isEncoded } from "./sample.ts";
export type { EncodedSample, RawImage, Sample } from "./sample.ts";

export { DataError, type OnError, SkipLog, type SkipReport, type SkipTracker } from "./errors.ts";
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS } from "./limits.ts";

export type { ImageFormat } from "./image_format.ts";
export type { ImageHeader } from "./image_header.ts";
export {
  type ChannelMode,
  type DecodedPixels,
  decodeSample,
  type ImageDecoder,
  samplePixels,
} from "./decoder.ts";
export { createDecoder, type DecoderName, type DecoderOptions } from "./decoders.ts";
export { type SampleFailure, skipFailures } from "./skip_failures.ts";

export {
  type IndexedDataset,
  type IndexedSample,
  indexedSamples,
  type IndexedSamplesOptions,
} from "./indexed.ts";
export { idxDataset, type IdxDatasetOptions } from "./idx.ts";
export { CIFAR10_CLASSES, cifarDataset, type CifarOptions } from "./cifar.ts";
export { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from "./image_folder.ts";
export { type ImageFolderSplit, imageFolderSplit } from "./image_folder_split.ts";
export { datasetLabels, labelCount, labelledSubset, subsetDataset } from "./labelled_subset.ts";
export { expandShards, tarSamples, type TarSamplesOptions } from "./shards.ts";
export { datasetSamples, type DatasetSamplesOptions } from "./samples.ts";

export {
  type DatasetFile,
  type DatasetSpec,
  listDatasets,
  type Located,
  type LocateOptions,
  openDataset,
  type OpenedDataset,
  type OpenOptions,
  registerDataset,
  type Split,
} from "./registry.ts";
export type { ProgressFn } from "./progress.ts";
