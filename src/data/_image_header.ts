/**
 * What an image file's header says, read before decoding: size, bit depth and whether it
 * stores gray. Decoding a huge image costs memory in proportion to its pixels, so the
 * pixel limit is checked from here, before any decoder runs.
 */
import type { ImageFormat, ImageHeader } from "./decoder.ts";
import { tiffTags } from "./_tiff.ts";

/**
 * Reads the header of a file whose format {@link sniffFormat} found; throws an Error saying
 * what is missing when the header is cut short or absent.
 */
export function readImageHeader(b: Uint8Array, format: ImageFormat): ImageHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (format) {
    case "png": {
      if (b.length < 33 || v.getUint32(12) !== 0x49484452) throw new Error("PNG without IHDR");
      const colorType = b[25];
      return {
        format,
        width: v.getUint32(16),
        height: v.getUint32(20),
        depth: b[24],
        gray: colorType === 0 || colorType === 4,
      };
    }
    case "jpeg": {
      let p = 2;
      while (p + 4 <= b.length) {
        if (b[p] !== 0xff) break;
        const marker = b[p + 1];
        if (marker === 0xff) {
          p++;
          continue;
        }
        const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
          marker !== 0xcc;
        if (isSof && p + 10 <= b.length) {
          return {
            format,
            width: v.getUint16(p + 7),
            height: v.getUint16(p + 5),
            depth: b[p + 4],
            gray: b[p + 9] === 1,
          };
        }
        p += 2 + v.getUint16(p + 2);
      }
      throw new Error("JPEG without a frame header (SOF)");
    }
    case "gif": {
      if (b.length < 13) throw new Error("GIF header cut short");
      let width = v.getUint16(6, true), height = v.getUint16(8, true);
      // Grow the screen to hold the first frame, which may lie outside it.
      let p = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
      while (p < b.length) {
        if (b[p] === 0x2c && p + 9 <= b.length) {
          width = Math.max(width, v.getUint16(p + 1, true) + v.getUint16(p + 5, true));
          height = Math.max(height, v.getUint16(p + 3, true) + v.getUint16(p + 7, true));
          break;
        }
        if (b[p] !== 0x21) break;
        p += 2; // extension introducer and label, then sub-blocks up to an empty one
        while (p < b.length && b[p] !== 0) p += 1 + b[p];
        p++;
      }
      return { format, width, height, depth: 8, gray: false };
    }
    case "tiff": {
      const tags = tiffTags(b);
      const photometric = tags.get(262)?.[0];
      const spp = tags.get(277)?.[0] ?? 1;
      return {
        format,
        width: tags.get(256)?.[0] ?? 0,
        height: tags.get(257)?.[0] ?? 0,
        depth: tags.get(258)?.[0] ?? 1,
        gray: (photometric === 0 || photometric === 1) && spp === 1,
      };
    }
  }
}
