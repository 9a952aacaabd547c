import type { NativeOptions, NativeProvider } from "./load.ts";

/** Opens the system's native libraries. Filled in by the native-kernels work (issue 9). */
export function openNativeProvider(_options: NativeOptions): NativeProvider {
  throw new Error(
    "the native CPU kernels are not built yet; use --backend wasm",
  );
}
