/**
 * What the native CPU compute provider offers and how it fails: the interface `load.ts` hands
 * out and `provider.ts` implements, kept apart from both so neither imports the other.
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
