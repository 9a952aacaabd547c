/**
 * Decompressing gzip/zlib data with memory bounded by what the caller reads: a small
 * compressed input that inflates to gigabytes (a "bomb") costs no more than the bytes read
 * from it, plus one slice's output.
 */
import { ByteReader } from "./_byte_reader.ts";

/**
 * Compressed bytes go into the decompressor in slices of at most this many bytes: it turns
 * each slice into all of its output at once (up to ~1032x for deflate, so 16 MiB here).
 */
export const INFLATE_SLICE_BYTES = 16 * 1024;

/**
 * Decompresses a byte stream (`gzip` or zlib `deflate`), feeding the decompressor small
 * slices so that output is produced only as fast as it is read.
 */
export function inflateStream(
  compressed: ReadableStream<Uint8Array>,
  format: "gzip" | "deflate",
): ReadableStream<Uint8Array> {
  const slices = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      for (let at = 0; at < chunk.length; at += INFLATE_SLICE_BYTES) {
        c.enqueue(chunk.subarray(at, at + INFLATE_SLICE_BYTES));
      }
    },
  });
  return compressed.pipeThrough(slices).pipeThrough(
    new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
}

/**
 * The first `size` bytes of the decompressed `src` (fewer when the data ends sooner); what
 * follows is never inflated. Throws the decompressor's error on corrupt or truncated data.
 */
export async function inflatePrefix(
  src: Uint8Array,
  format: "deflate" | "gzip",
  size: number,
): Promise<Uint8Array> {
  const reader = new ByteReader(
    inflateStream(new Blob([src as Uint8Array<ArrayBuffer>]).stream(), format),
  );
  try {
    return await reader.read(size);
  } finally {
    await reader.cancel().catch(() => {});
  }
}
