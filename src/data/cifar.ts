/** CIFAR-10 and CIFAR-100 binary batches, read by record with random access. */
import { DataError } from "./errors.ts";
import type { IndexedDataset } from "./indexed.ts";
import { RandomAccessFile } from "./random_access.ts";
import type { RawImage } from "./sample.ts";

/**
 * CIFAR-10 class names, in label order.
 *
 * @example
 * ```ts
 * CIFAR10_CLASSES[3]; // "cat"
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
 * @example
 * ```ts
 * await cifarDataset({ files: ["train.bin"], variant: 100, labels: "coarse" });
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
 * @example
 * ```ts
 * const ds = await cifarDataset({
 *   files: [1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`),
 *   variant: 10,
 * });
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
