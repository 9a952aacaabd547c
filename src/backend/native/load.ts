/**
 * Lazy loader for the native CPU compute provider (oneDNN / BLAS through Deno FFI), whose
 * kernels run on the wasm backend's own memory. See `provider.ts`.
 */

/** Options for the native provider. */
export interface NativeOptions {
  /** Library threads; default: cores minus the data workers' share. */
  threads?: number;
  /** Data-loading workers sharing the CPU. */
  dataWorkers?: number;
}

/** A loaded provider: `register()` installs its kernels for the `wasm` backend. */
export interface NativeProvider {
  device: string;
  register(): void;
}

/** Loads the provider; throws with the reason and the fix when a library or permission is missing. */
export async function loadNativeProvider(options: NativeOptions): Promise<NativeProvider> {
  const { openNativeProvider } = await import("./provider.ts");
  return openNativeProvider(options);
}
