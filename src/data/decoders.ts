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
 * Returns the named decoder (`imagescript`, the default, or `sharp`).
 *
 * @example
 * ```ts
 * const decoder = await createDecoder("sharp");
 * ```
 */
export async function createDecoder(name: DecoderName = "imagescript"): Promise<ImageDecoder> {
  if (name === "imagescript") return imagescriptDecoder;
  if (name === "sharp") return await createSharpDecoder();
  throw new Error(`unknown decoder '${name}': choose 'imagescript' or 'sharp'`);
}
