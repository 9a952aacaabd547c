/** The default decoder: `imagescript` (pure wasm/JS) plus this project's TIFF reader. */
import { decode as isDecode, GIF, type Image } from "imagescript";
import { fromRgba, type ImageDecoder, type Pixels } from "./decoder.ts";
import type { ImageFormat } from "./image_format.ts";
import { decodeTiff } from "./tiff.ts";

/**
 * Decodes PNG (gray, palette, 16-bit included), JPEG and GIF (first frame) with
 * imagescript, and TIFF with {@link decodeTiff}.
 *
 * @example
 * ```ts
 * const px = await imagescriptDecoder.decode(bytes, "png", false);
 * ```
 */
export const imagescriptDecoder: ImageDecoder = {
  name: "imagescript",
  async decode(bytes: Uint8Array, format: ImageFormat, gray: boolean): Promise<Pixels> {
    if (format === "tiff") return await decodeTiff(bytes);
    const decoded = await isDecode(bytes, true);
    const image = decoded instanceof GIF ? decoded[0] : decoded as Image;
    if (!image || !image.width || !image.height) throw new Error("no image in the file");
    if (image.bitmap.length < image.width * image.height * 4) throw new Error("short pixel data");
    return fromRgba(image.bitmap, image.width, image.height, gray);
  },
};
