/**
 * Lazy loader for the native CPU compute provider (oneDNN / BLAS through Deno FFI), whose
 * kernels run on the wasm backend's own memory. See `provider.ts`.
 */

import type { NativeOptions, NativeProvider } from "./provider_interface.ts";

export { nativeKernelEnabled, setNativeKernelsEnabled } from "./enabled.ts";
export {
  type NativeOptions,
  type NativeProvider,
  NativeUnavailableError,
} from "./provider_interface.ts";

/** Loads the provider; throws with the reason and the fix when a library or permission is missing. */
export async function loadNativeProvider(options: NativeOptions): Promise<NativeProvider> {
  const { openNativeProvider } = await import("./provider.ts");
  return openNativeProvider(options);
}

let warned = false;

/**
 * The one-line warning shown when `native` was asked for by name but cannot load, printed
 * once per process; returns the line (for the backend's notes).
 */
export function warnNativeFallback(err: unknown): string {
  const line = `native kernels unavailable, using pure wasm: ${
    (err as Error).message.split("\n")[0]
  }`;
  if (!warned) {
    warned = true;
    console.warn(line);
  }
  return line;
}
