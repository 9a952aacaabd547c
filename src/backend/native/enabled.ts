/** Which registered native kernels run (the others hand over to the wasm kernel they replaced). */

let enabled: boolean | ReadonlySet<string> = true;

/**
 * Turns the registered native kernels on or off (off: every call goes to the wasm kernel they
 * replaced), or on for the named kernels only, so one process can compare `wasm` and `native`
 * side by side, kernel by kernel.
 */
export function setNativeKernelsEnabled(on: boolean | string[]): void {
  enabled = typeof on === "boolean" ? on : new Set(on);
}

/** Whether the native kernel `name` runs now. */
export function nativeKernelEnabled(name: string): boolean {
  return enabled === true || (enabled !== false && enabled.has(name));
}
