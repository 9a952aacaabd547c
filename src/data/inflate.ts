/**
 * Decompressing gzip/zlib data into a buffer of the size the caller expects, so a small
 * compressed input that inflates to gigabytes (a "bomb") costs no more than that size.
 */
import { ByteReader } from "./byte_reader.ts";

/**
 * The first `size` bytes of the decompressed `src` (fewer when the data ends sooner); what
 * follows is never inflated. Throws the decompressor's error on corrupt or truncated data.
 *
 * @example
 * ```ts
 * const rows = await inflatePrefix(idat, "deflate", height * (1 + rowBytes));
 * if (rows.length < height * (1 + rowBytes)) throw new Error("short image data");
 * ```
 */
export async function inflatePrefix(
  src: Uint8Array,
  format: "deflate" | "gzip",
  size: number,
): Promise<Uint8Array> {
  const reader = new ByteReader(
    new Blob([src as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
    ),
  );
  try {
    return await reader.read(size);
  } finally {
    await reader.cancel().catch(() => {});
  }
}
