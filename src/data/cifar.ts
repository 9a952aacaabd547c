/** CIFAR-10 and CIFAR-100 binary batches, read by record with random access. */
import { DataError } from "./errors.ts";
import type { IndexedDataset } from "./indexed.ts";
import { RandomAccessFile } from "./_random_access.ts";
import type { RawImage } from "./sample.ts";

/**
 * CIFAR-10 class names, in label order.
 *
 * @example A label's name
 * ```ts
 * import { CIFAR10_CLASSES } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CIFAR10_CLASSES.length, 10);
 * assert.equal(CIFAR10_CLASSES[3], "cat");
 * ```
 */
export const CIFAR10_CLASSES: readonly string[] = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/**
 * Options of {@link cifarDataset}.
 *
 * @example CIFAR-100 with its coarse labels
 * ```ts
 * import type { CifarOptions } from "@simclr/streams/data";
 * import { cifarDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * // One CIFAR-100 record: coarse label 4, fine label 30, then 3072 pixel bytes.
 * await Deno.writeFile(`${dir}/train.bin`, Uint8Array.from([4, 30, ...new Array(3072).fill(9)]));
 * const options: CifarOptions = { files: [`${dir}/train.bin`], variant: 100, labels: "coarse" };
 * const ds = await cifarDataset(options);
 * assert.equal((await ds.get(0)).label, 4);
 * ds.close?.();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface CifarOptions {
  /** Binary batch files, read in this order (e.g. `data_batch_1.bin` ... `data_batch_5.bin`). */
  files: readonly string[];
  /** 10: records are `label, 3072 pixels`; 100: `coarse, fine, 3072 pixels`. */
  variant: 10 | 100;
  /** CIFAR-100: which label to use (default `"fine"`). */
  labels?: "fine" | "coarse";
  /** Class names by label. */
  classes?: readonly string[];
}

const PIXELS = 32 * 32 * 3;

/**
 * An indexed dataset over CIFAR binary batches: 32x32x3 `RawImage`s (the files' channel
 * planes turned into HWC), keyed `file[i]`. File sizes are checked on open, labels on read.
 *
 * @throws {DataError} For no files, or a file size that is not a whole number of records; `get`
 * rejects with a DataError for a label out of range and a RangeError for an index out of range.
 *
 * @example Two CIFAR-10 records, channel planes turned into HWC pixels
 * ```ts
 * import { CIFAR10_CLASSES, cifarDataset } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * // Two CIFAR-10 records: a label byte, then the red, green and blue 32x32 planes.
 * const record = (label: number, r: number, g: number, b: number) =>
 *   [label, ...new Array(1024).fill(r), ...new Array(1024).fill(g), ...new Array(1024).fill(b)];
 * await Deno.writeFile(`${dir}/data_batch_1.bin`, Uint8Array.from([...record(3, 255, 0, 0), ...record(5, 0, 0, 255)]));
 * const ds = await cifarDataset({ files: [`${dir}/data_batch_1.bin`], variant: 10 });
 * assert.equal(ds.length, 2);
 * const cat = await ds.get(0);
 * assert.deepEqual([cat.key, cat.width, cat.channels, CIFAR10_CLASSES[cat.label!]], ["data_batch_1.bin[0]", 32, 3, "cat"]);
 * assert.deepEqual([...cat.data.subarray(0, 6)], [255, 0, 0, 255, 0, 0]);
 * assert.deepEqual([...(await ds.get(1)).data.subarray(0, 3)], [0, 0, 255]);
 * ds.close?.();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function cifarDataset(options: CifarOptions): Promise<IndexedDataset<RawImage>> {
  const { variant } = options;
  const labelBytes = variant === 10 ? 1 : 2;
  const recordBytes = labelBytes + PIXELS;
  const labelOffset = variant === 100 && options.labels !== "coarse" ? 1 : 0;
  const labelCount = variant === 10 ? 10 : options.labels === "coarse" ? 20 : 100;
  if (options.files.length === 0) throw new DataError(`CIFAR-${variant}`, "no batch files given");
  const files: RandomAccessFile[] = [];
  const starts: number[] = [];
  let total = 0;
  try {
    for (const path of options.files) {
      const f = await RandomAccessFile.open(path);
      files.push(f);
      if (f.size === 0 || f.size % recordBytes !== 0) {
        throw new DataError(
          path,
          `size ${f.size} is not a multiple of the ${recordBytes}-byte CIFAR-${variant} record` +
            (f.size % (variant === 10 ? 3074 : 3073) === 0 && f.size > 0
              ? ` (it fits CIFAR-${variant === 10 ? 100 : 10} records: wrong variant?)`
              : " (truncated or not a CIFAR binary batch)"),
        );
      }
      starts.push(total);
      total += f.size / recordBytes;
    }
  } catch (error) {
    for (const f of files) f.close();
    throw error;
  }
  const names = options.files.map((p) => p.split("/").pop()!);
  const classes = options.classes ?? (variant === 10 ? CIFAR10_CLASSES : undefined);
  return {
    name: options.files.length === 1
      ? options.files[0]
      : `${options.files[0]} (+${options.files.length - 1})`,
    length: total,
    classes,
    async get(i: number): Promise<RawImage> {
      if (!(i >= 0 && i < total)) {
        throw new RangeError(`CIFAR: index ${i} out of range 0..${total - 1}`);
      }
      let f = starts.length - 1;
      while (starts[f] > i) f--;
      const r = i - starts[f];
      const rec = await files[f].read(r * recordBytes, recordBytes);
      const label = rec[labelOffset];
      if (label >= labelCount) {
        throw new DataError(
          `${options.files[f]} record ${r}`,
          `label ${label} is out of range 0..${labelCount - 1} for CIFAR-${variant}`,
          variant === 10 ? "is this a CIFAR-100 file?" : "is the file damaged?",
        );
      }
      const data = new Uint8Array(PIXELS);
      const planes = rec.subarray(labelBytes);
      for (let p = 0; p < 1024; p++) {
        data[3 * p] = planes[p];
        data[3 * p + 1] = planes[1024 + p];
        data[3 * p + 2] = planes[2048 + p];
      }
      return { key: `${names[f]}[${r}]`, width: 32, height: 32, channels: 3, data, label };
    },
    close() {
      for (const f of files) f.close();
    },
  };
}
