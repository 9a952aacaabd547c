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
 * @example The default, and a decoder with a lower limit
 * ```ts
 * import { createDecoder, DataError, decodeSample, DEFAULT_MAX_PIXELS } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_PIXELS, 8192 * 8192);
 * const bytes = await new Image(4, 4).encode();
 * const small = await createDecoder("imagescript", { maxPixels: 10 });
 * await assert.rejects(decodeSample(small, { key: "4x4.png", bytes }), DataError); // 16 > 10
 * ```
 */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/**
 * The default size limit of one file held whole in memory after decompression: an IDX file
 * (a gzipped one is inflated into memory for random access), a tar member, an image-folder
 * file. 1 GiB: EMNIST's largest IDX file is 0.64 GB, Fashion-MNIST's 47 MB.
 *
 * @example The default, and an image folder with a lower limit
 * ```ts
 * import { DataError, DEFAULT_MAX_FILE_BYTES, imageFolder } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_FILE_BYTES, 2 ** 30);
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/cat`);
 * await Deno.writeFile(`${root}/cat/big.png`, new Uint8Array(100));
 * const ds = await imageFolder(root, { maxFileBytes: 50 });
 * await assert.rejects(ds.get(0), DataError); // 100 bytes > 50: refused unread
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 30;
