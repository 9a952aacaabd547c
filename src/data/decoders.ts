/** Choosing a decoder by name. */
import type { ImageDecoder } from "./decoder.ts";
import { imagescriptDecoder } from "./imagescript_decoder.ts";
import { createSharpDecoder } from "./sharp_decoder.ts";

/**
 * Decoder names.
 *
 * @example
 * ```ts
 * const decoder = await createDecoder("sharp" satisfies DecoderName);
 * ```
 */
export type DecoderName = "imagescript" | "sharp";

/**
 * Settings every decoder takes.
 *
 * @example
 * ```ts
 * const decoder = await createDecoder("imagescript", { maxPixels: 4096 * 4096 } satisfies DecoderOptions);
 * ```
 */
export interface DecoderOptions {
  /** Pixel limit (width x height, from the header) checked before decoding (default 8192^2). */
  maxPixels?: number;
}

/**
 * Returns the named decoder (`imagescript`, the default, or `sharp`).
 *
 * @example
 * ```ts
 * const decoder = await createDecoder("sharp", { maxPixels: 100_000_000 });
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
  throw new Error(`unknown decoder '${name}': choose 'imagescript' or 'sharp'`);
}
