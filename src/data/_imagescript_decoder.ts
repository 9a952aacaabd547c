/**
 * The default decoder: `imagescript` (pure wasm/JS), plus this project's readers for TIFF
 * and 16-bit PNG (imagescript keeps only the high byte of 16-bit samples).
 */
import { decode as isDecode, GIF, type Image } from "imagescript";
import type { DecodedPixels, ImageDecoder, ImageHeader } from "./decoder.ts";
import { fromRgba } from "./_pixels.ts";
import { decodePng16 } from "./_png16.ts";
import { decodeTiff } from "./_tiff.ts";

/**
 * Decodes PNG (gray, palette; 16-bit with {@link decodePng16}), JPEG and GIF (first frame)
 * with imagescript, and TIFF with {@link decodeTiff}. ICC profiles are not read. Its pixel
 * limit is the default one; `createDecoder("imagescript", { maxPixels })` sets another.
 */
export const imagescriptDecoder: ImageDecoder = {
  name: "imagescript",
  async decode(bytes: Uint8Array, header: ImageHeader): Promise<DecodedPixels> {
    if (header.format === "tiff") return await decodeTiff(bytes);
    if (header.format === "png" && header.depth === 16) return await decodePng16(bytes);
    const decoded = await isDecode(bytes, true);
    const image = decoded instanceof GIF ? decoded[0] : decoded as Image;
    if (!image || !image.width || !image.height) throw new Error("no image in the file");
    if (image.bitmap.length < image.width * image.height * 4) throw new Error("short pixel data");
    return fromRgba(image.bitmap, image.width, image.height, header.gray);
  },
};
