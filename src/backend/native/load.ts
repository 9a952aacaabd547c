/**
 * Lazy loader for the native CPU compute provider (oneDNN / BLAS through Deno FFI), whose
 * kernels run on the wasm backend's own memory. See `provider.ts`.
 */

export { nativeKernelEnabled, setNativeKernelsEnabled } from "./enabled.ts";

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
  /** Threads the native libraries use now. */
  threads?: number;
  /** Changes the native libraries' thread count (takes effect on the next kernel). */
  setThreads?(threads: number): void;
  /**
   * Turns the registered kernels off (pure wasm) and on again, or on for the named kernels
   * only, e.g. to compare in one run.
   */
  setEnabled?(on: boolean | string[]): void;
  /** The kernels `register()` installed. */
  kernels?: string[];
}

/** Why the native path is off, in one line that also says how to turn it on. */
export class NativeUnavailableError extends Error {
  override name = "NativeUnavailableError";
}

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
