/** Choosing a decoder by name. */
import type { ImageDecoder } from "./decoder.ts";
import { imagescriptDecoder } from "./_imagescript_decoder.ts";
import { createSharpDecoder } from "./_sharp_decoder.ts";

/**
 * Decoder names.
 *
 * @example Both decoders agree on a PNG
 * ```ts
 * import type { DecoderName } from "@simclr/streams/data";
 * import { createDecoder, decodeSample } from "@simclr/streams/data";
 * import { Image } from "imagescript";
 * import assert from "node:assert/strict";
 *
 * const bytes = await new Image(2, 2).fill(0x336699ff).encode();
 * const names: DecoderName[] = ["imagescript", "sharp"];
 * const [a, b] = await Promise.all(
 *   names.map(async (n) => (await decodeSample(await createDecoder(n), { key: "a.png", bytes })).data),
 * );
 * assert.deepEqual(a, b);
 * ```
 */
export type DecoderName = "imagescript" | "sharp";

/**
 * Settings every decoder takes.
 *
 * @example A lower pixel limit
 * ```ts
 * import type { DecoderOptions } from "@simclr/streams/data";
 * import { createDecoder } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * const options: DecoderOptions = { maxPixels: 4096 * 4096 };
 * const decoder = await createDecoder("imagescript", options);
 * assert.equal(decoder.maxPixels, 4096 * 4096);
 * ```
 */
export interface DecoderOptions {
  /** Pixel limit (width x height, from the header) checked before decoding (default 8192^2). */
  maxPixels?: number;
}

/**
 * Returns the named decoder (`imagescript`, the default, or `sharp`).
 *
 * @throws {RangeError} For a name that is neither `imagescript` nor `sharp`.
 *
 * @example The default decoder, and sharp with a higher pixel limit
 * ```ts
 * import { createDecoder } from "@simclr/streams/data";
 * import assert from "node:assert/strict";
 *
 * assert.equal((await createDecoder()).name, "imagescript");
 * const sharp = await createDecoder("sharp", { maxPixels: 100_000_000 });
 * assert.deepEqual([sharp.name, sharp.maxPixels], ["sharp", 100_000_000]);
 * ```
 */
export async function createDecoder(
  name: DecoderName = "imagescript",
  options: DecoderOptions = {},
): Promise<ImageDecoder> {
  if (name === "imagescript") {
    return options.maxPixels === undefined
      ? imagescriptDecoder
      : { ...imagescriptDecoder, maxPixels: options.maxPixels };
  }
  if (name === "sharp") return await createSharpDecoder(options);
  throw new RangeError(`unknown decoder '${name}': choose 'imagescript' or 'sharp'`);
}
