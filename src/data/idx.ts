/** An indexed dataset over IDX files (MNIST, Fashion-MNIST); `_idx_file.ts` reads the files. */
import { DataError } from "./errors.ts";
import type { IndexedDataset } from "./indexed.ts";
import { IdxFile } from "./_idx_file.ts";
import type { RawImage } from "./sample.ts";

/**
 * Options of {@link idxDataset}.
 *
 * @example Images, labels and class names
 * ```ts
 * import type { IdxDatasetOptions } from "@simclr/streams/data";
 * import { idxDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * // An IDX file: 00 00 08 <ndims>, the sizes as big-endian uint32, then the bytes.
 * const idx = (dims: number[], data: number[]) => {
 *   const b = new Uint8Array(4 + 4 * dims.length + data.length);
 *   b.set([0, 0, 8, dims.length]);
 *   dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d));
 *   b.set(data, 4 + 4 * dims.length);
 *   return b;
 * };
 * await Deno.writeFile(`${dir}/images.idx`, idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]));
 * await Deno.writeFile(`${dir}/labels.idx`, idx([2], [7, 9]));
 * const options: IdxDatasetOptions = {
 *   images: `${dir}/images.idx`,
 *   labels: `${dir}/labels.idx`,
 *   classes: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
 *   name: "tiny",
 * };
 * const ds = await idxDataset(options);
 * const second = await ds.get(1);
 * assert.deepEqual([second.key, second.label, ds.classes?.[second.label!]], ["tiny[1]", 9, "j"]);
 * ds.close?.();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface IdxDatasetOptions {
  /** Images file (`N x rows x cols`). */
  images: string;
  /** Labels file (`N`), optional. */
  labels?: string;
  /** Class names by label. */
  classes?: readonly string[];
  /** Key prefix (default: the images file's name). */
  name?: string;
  /** Size limit of a gzipped file once inflated (default `DEFAULT_MAX_FILE_BYTES`, 1 GiB). */
  maxFileBytes?: number;
}

/**
 * An indexed dataset over an IDX images file (and labels file): gray `RawImage`s keyed
 * `name[i]`.
 *
 * @throws {DataError} For a file that is not an unsigned-byte IDX file, images without 3
 * dimensions, or labels that do not match the images.
 *
 * @example Two 2x3 images written in a temporary folder
 * ```ts
 * import { idxDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * // An IDX file: 00 00 08 <ndims>, the sizes as big-endian uint32, then the bytes.
 * const idx = (dims: number[], data: number[]) => {
 *   const b = new Uint8Array(4 + 4 * dims.length + data.length);
 *   b.set([0, 0, 8, dims.length]);
 *   dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d));
 *   b.set(data, 4 + 4 * dims.length);
 *   return b;
 * };
 * await Deno.writeFile(`${dir}/images.idx`, idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]));
 * await Deno.writeFile(`${dir}/labels.idx`, idx([2], [7, 9]));
 * const ds = await idxDataset({ images: `${dir}/images.idx`, labels: `${dir}/labels.idx` });
 * assert.equal(ds.length, 2);
 * const { key, width, height, channels, data, label } = await ds.get(1);
 * assert.deepEqual([key, width, height, channels, label], ["images.idx[1]", 3, 2, 1, 9]);
 * assert.deepEqual([...data], [10, 11, 12, 13, 14, 15]);
 * ds.close?.();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function idxDataset(options: IdxDatasetOptions): Promise<IndexedDataset<RawImage>> {
  const limit = { maxFileBytes: options.maxFileBytes };
  const images = await IdxFile.open(options.images, limit);
  const [n, rows, cols] = images.header.dims;
  if (images.header.dims.length !== 3) {
    images.close();
    throw new DataError(
      options.images,
      `expected 3 dimensions (N x rows x cols), found ${images.header.dims.join("x")}`,
    );
  }
  let labels: Uint8Array | undefined;
  if (options.labels) {
    let lf: IdxFile;
    try {
      lf = await IdxFile.open(options.labels, limit);
    } catch (error) {
      images.close();
      throw error;
    }
    if (lf.header.dims.length !== 1 || lf.length !== n) {
      lf.close();
      images.close();
      throw new DataError(
        options.labels,
        `labels shape ${lf.header.dims.join("x")} does not match ${n} images in ${options.images}`,
      );
    }
    labels = await lf.records();
    lf.close();
  }
  const prefix = options.name ?? options.images.split("/").pop()!;
  return {
    name: options.images,
    length: n,
    classes: options.classes,
    async get(i: number): Promise<RawImage> {
      const data = await images.record(i);
      const img: RawImage = {
        key: `${prefix}[${i}]`,
        width: cols,
        height: rows,
        channels: 1,
        data,
      };
      if (labels) img.label = labels[i];
      return img;
    },
    close: () => images.close(),
  };
}
