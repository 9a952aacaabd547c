/** The image-folder dataset over a given file list: files read on `get`, size-limited. */
import { DataError } from "./errors.ts";
import type { ImageFolderDataset } from "./image_folder.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./limits.ts";
import type { EncodedSample } from "./sample.ts";

/**
 * The image-folder dataset over given files and labels (e.g. a subset of a listing).
 */
export function folderDataset(
  name: string,
  classes: readonly string[],
  files: readonly string[],
  labels: readonly (number | undefined)[],
  maxFileBytes: number = DEFAULT_MAX_FILE_BYTES,
): ImageFolderDataset {
  return {
    name,
    length: files.length,
    classes,
    files,
    labels,
    async get(i: number): Promise<EncodedSample> {
      const path = files[i];
      if (path === undefined) {
        throw new RangeError(`${name}: index ${i} out of range 0..${files.length - 1}`);
      }
      let bytes: Uint8Array;
      try {
        const { size } = await Deno.stat(path);
        if (size > maxFileBytes) {
          throw new DataError(
            path,
            `file of ${size} bytes is over the limit of ${maxFileBytes} bytes ` +
              `(data.maxFileBytes); refused before reading it`,
            "raise data.maxFileBytes if the file is genuine",
          );
        }
        bytes = await Deno.readFile(path);
      } catch (error) {
        if (error instanceof DataError) throw error;
        throw new DataError(path, `cannot read: ${(error as Error).message}`);
      }
      const s: EncodedSample = { key: path, bytes };
      if (labels[i] !== undefined) s.label = labels[i];
      return s;
    },
  };
}
