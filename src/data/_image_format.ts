/**
 * Recognising an encoded image from its bytes: format, and a cheap completeness check (so a
 * truncated file is an error rather than a half-grey image). `_image_header.ts` reads the
 * header.
 */
import type { ImageFormat } from "./decoder.ts";

/**
 * File extensions (lower case, no dot) of the formats the decoders read.
 */
export const IMAGE_EXTENSIONS: readonly string[] = ["png", "jpg", "jpeg", "gif", "tif", "tiff"];

/**
 * The format from the leading bytes, or a description of why it is not a supported image.
 */
export function sniffFormat(b: Uint8Array): { format: ImageFormat } | { problem: string } {
  if (b.length === 0) return { problem: "empty file (0 bytes)" };
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { format: "png" };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { format: "jpeg" };
  if (b.length >= 6 && ascii(b, 0, 4) === "GIF8") return { format: "gif" };
  if (
    b.length >= 8 &&
    ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) ||
      (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42))
  ) return { format: "tiff" };
  const known: Record<string, string> = { RIFF: "WebP/RIFF", "BM": "BMP" };
  const head = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join(" ");
  const name = known[ascii(b, 0, 4)] ?? known[ascii(b, 0, 2)];
  return {
    problem: `unsupported image format (${name ?? `first bytes ${head}`}); ` +
      `supported: PNG, JPEG, GIF, TIFF`,
  };
}

/**
 * A cheap structural check: the file ends where its format says it should. Returns the
 * problem, or undefined when the file looks whole.
 */
export function checkComplete(b: Uint8Array, format: ImageFormat): string | undefined {
  switch (format) {
    case "png": {
      // Walk the chunks up to IEND.
      let p = 8;
      while (p + 8 <= b.length) {
        const len = u32be(b, p);
        const type = ascii(b, p + 4, 4);
        const end = p + 12 + len;
        if (end > b.length) return `truncated PNG: chunk ${type} runs past the end of the file`;
        if (type === "IEND") return undefined;
        p = end;
      }
      return "truncated PNG: no IEND chunk";
    }
    case "jpeg": {
      let end = b.length;
      while (end > 2 && b[end - 1] === 0) end--; // some writers pad with zeros
      return b[end - 2] === 0xff && b[end - 1] === 0xd9
        ? undefined
        : "truncated JPEG: no end-of-image marker";
    }
    case "gif":
      return b.length >= 14 && b.lastIndexOf(0x3b) > 13 ? undefined : "truncated GIF: no trailer";
    case "tiff":
      return undefined; // the TIFF decoder checks every offset it reads
  }
}

function ascii(b: Uint8Array, start: number, n: number): string {
  return String.fromCharCode(...b.subarray(start, start + n));
}

function u32be(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}
