/**
 * Dataset sources and image decoding: IDX (MNIST, Fashion-MNIST), CIFAR-10/100 binary
 * batches, image folders, WebDataset tar shards (local or http), a registry that finds or
 * downloads named datasets, and decoders (imagescript, or sharp) run on this thread or in a
 * worker pool. Bad input errors name the file (and tar member) or is skipped and counted.
 *
 * @example
 * ```ts
 * import { datasetSamples, openDataset, parallelDecode } from "./src/data/mod.ts";
 * import { batch, prefetch, Telemetry } from "./src/streams/mod.ts";
 * const telemetry = new Telemetry();
 * const opened = await openDataset("imagefolder", { path: "data/flowers" });
 * const batches = datasetSamples(opened, { seed: 42, epochs: 10, telemetry })
 *   .pipeThrough(parallelDecode({ workers: 2, channels: 3, onError: "skip", telemetry }))
 *   .pipeThrough(batch(64, { dropLast: true, telemetry }))
 *   .pipeThrough(prefetch(2, { telemetry }));
 * ```
 * @module
 */

export { isEncoded } from "./sample.ts";
export type { EncodedSample, RawImage, Sample } from "./sample.ts";

export {
  DataError,
  formatSkipReport,
  type OnError,
  SkipLog,
  type SkipReport,
  type SkipTracker,
} from "./errors.ts";

export {
  checkComplete,
  IMAGE_EXTENSIONS,
  type ImageFormat,
  sniffFormat,
  storesGray,
} from "./image_format.ts";
export {
  type ChannelMode,
  convertChannels,
  decodeSample,
  fromRgba,
  type ImageDecoder,
  type Pixels,
  samplePixels,
} from "./decoder.ts";
export { createDecoder, type DecoderName } from "./decoders.ts";
export { imagescriptDecoder } from "./imagescript_decoder.ts";
export { createSharpDecoder } from "./sharp_decoder.ts";
export { decodeTiff, type TiffPixels } from "./tiff.ts";
export {
  decodeImages,
  type DecodeOptions,
  parallelDecode,
  type ParallelDecodeOptions,
} from "./decode_stage.ts";
export type { DecodeFailure, DecodeWorkerInit } from "./decode_worker.ts";

export {
  type IndexedDataset,
  type IndexedSample,
  indexedSamples,
  type IndexedSamplesOptions,
} from "./indexed.ts";
export {
  idxDataset,
  type IdxDatasetOptions,
  IdxFile,
  type IdxHeader,
  parseIdxHeader,
} from "./idx.ts";
export { CIFAR10_CLASSES, cifarDataset, type CifarOptions } from "./cifar.ts";
export { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from "./image_folder.ts";
export { type TarMember, tarMembers } from "./tar.ts";
export { groupMembers, groupToSample, type MemberGroup, splitMemberName } from "./webdataset.ts";
export {
  expandShards,
  openShard,
  SHARD_INDEX_STRIDE,
  shardsForEpoch,
  tarSamples,
  type TarSamplesOptions,
} from "./shards.ts";
export { datasetSamples, type DatasetSamplesOptions } from "./samples.ts";

export {
  type DatasetFile,
  DATASETS,
  type DatasetSpec,
  defaultCacheDir,
  listDatasets,
  type Located,
  locateDataset,
  type LocateOptions,
  openDataset,
  type OpenedDataset,
  type OpenOptions,
  registerDataset,
  type Split,
} from "./registry.ts";
export { downloadFile, type DownloadOptions } from "./download.ts";
export { formatProgress, progressBar, type ProgressFn } from "./progress.ts";
export { RandomAccessFile, readMaybeGzip } from "./random_access.ts";
