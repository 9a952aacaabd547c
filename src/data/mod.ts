/**
 * Dataset sources and image decoding: IDX files (MNIST, Fashion-MNIST), CIFAR-10/100 binary
 * batches, image folders, WebDataset tar shards (local or http), a registry that finds or
 * downloads named datasets, and decoders (imagescript, or sharp).
 *
 * The training path opens its dataset with {@link openDataset} and reads it with
 * {@link datasetSamples}: samples in epoch order (a seeded permutation per epoch, split among
 * ranks, resumable), either raw pixels ({@link RawImage}: IDX, CIFAR) or encoded files
 * ({@link EncodedSample}: image folders, tar shards) that the view workers decode with
 * {@link decodeSample} next to the augmentation. Bad input is a {@link DataError} naming the
 * file (and tar member or sample key), or, with `onError: "skip"`, is dropped and counted in a
 * {@link SkipLog}. {@link DEFAULT_MAX_PIXELS} and {@link DEFAULT_MAX_FILE_BYTES} bound what one
 * input may cost in memory.
 *
 * @example Read and decode an image folder, as training does
 * ```ts
 * import { createDecoder, datasetSamples, decodeSample, isEncoded, openDataset } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempDir(); // <path>/<class>/<image>
 * for (const [cls, colour] of [["dark", 0x202020ff], ["light", 0xe0e0e0ff]] as const) {
 *   await Deno.mkdir(`${path}/${cls}`);
 *   for (const i of [1, 2]) await Deno.writeFile(`${path}/${cls}/${i}.png`, await new Image(3, 3).fill(colour).encode());
 * }
 * const opened = await openDataset("imagefolder", { path });
 * const decoder = await createDecoder("imagescript");
 * const seen: string[] = [];
 * for await (const s of datasetSamples(opened, { seed: 42, epochs: 1, onError: "skip" })) {
 *   const image = isEncoded(s) ? await decodeSample(decoder, s, 1) : s;
 *   assert.deepEqual([image.width, image.height, image.channels], [3, 3, 1]);
 *   seen.push(`${s.label}:${image.data[0]}`);
 * }
 * assert.deepEqual(seen.sort(), ["0:32", "0:32", "1:224", "1:224"]);
 * await Deno.remove(path, { recursive: true });
 * ```
 * @module
 */

export { isEncoded } from "./sample.ts";
export type { EncodedSample, RawImage, Sample } from "./sample.ts";

export { DataError, type OnError, SkipLog, type SkipReport, type SkipTracker } from "./errors.ts";
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS } from "./limits.ts";

export {
  type ChannelMode,
  type DecodedPixels,
  decodeSample,
  type ImageDecoder,
  type ImageFormat,
  type ImageHeader,
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
