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

export {
  DataError,
  formatSkipReport,
  type OnError,
  SkipLog,
  type SkipReport,
  type SkipTracker,
} from "./errors.ts";

export { checkComplete, IMAGE_EXTENSIONS, type ImageFormat, sniffFormat } from "./image_format.ts";
export { type ImageHeader, readImageHeader } from "./image_header.ts";
export {
  type ChannelMode,
  convertChannels,
  type DecodedPixels,
  decodeSample,
  fromRgba,
  type ImageDecoder,
  type Pixels,
  samplePixels,
} from "./decoder.ts";
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS } from "./limits.ts";
export { LOW_RANGE_LEVELS, lowRangeWarning, reduceTo8Bit } from "./bit_depth.ts";
export { createDecoder, type DecoderName, type DecoderOptions } from "./decoders.ts";
export { imagescriptDecoder } from "./imagescript_decoder.ts";
export { createSharpDecoder } from "./sharp_decoder.ts";
export { decodeTiff, type TiffPixels, tiffTags } from "./tiff.ts";
export { decodePng16 } from "./png16.ts";
export { isSampleFailure, type SampleFailure, skipFailures } from "./skip_failures.ts";

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
export {
  folderDataset,
  imageFolder,
  type ImageFolderDataset,
  type ImageFolderOptions,
} from "./image_folder.ts";
export {
  HOLDOUT_EVERY,
  type ImageFolderSplit,
  imageFolderSplit,
  SPLIT_FOLDER_NAMES,
} from "./image_folder_split.ts";
export { balancedSubset } from "./balanced_subset.ts";
export { datasetLabels, labelCount, labelledSubset, subsetDataset } from "./labelled_subset.ts";
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
export { RandomAccessFile } from "./random_access.ts";
