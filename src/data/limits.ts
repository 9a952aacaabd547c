/**
 * Limits on what one input may cost in memory, so a small hostile file (a PNG header that
 * claims 16000x16000, a gzip bomb) fails with a message instead of taking gigabytes. The
 * pipeline's `data.maxPixels` and `data.maxFileBytes` set them.
 */

/**
 * The default pixel limit (width x height) of a decode: 8192 x 8192 = 67,108,864 pixels,
 * enough for every common camera sensor (61 Mpx at most), a quarter of sharp's default.
 * A decode holds about 18 bytes per pixel with imagescript, 7 with sharp (measured on an
 * 8192 x 8192 PNG: 1.16 and 0.43 GiB above the process's baseline).
 *
 * @example
 * ```ts
 * const decoder = await createDecoder("sharp", { maxPixels: 4 * DEFAULT_MAX_PIXELS });
 * ```
 */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/**
 * The default size limit of one file held whole in memory after decompression: an IDX file
 * (a gzipped one is inflated into memory for random access), a tar member, an image-folder
 * file. 1 GiB: EMNIST's largest IDX file is 0.64 GB, Fashion-MNIST's 47 MB.
 *
 * @example
 * ```ts
 * const f = await IdxFile.open("train-images-idx3-ubyte.gz", { maxFileBytes: DEFAULT_MAX_FILE_BYTES });
 * ```
 */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 30;
