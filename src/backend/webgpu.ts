/** Probing the WebGPU adapter that Deno's `navigator.gpu` offers, before TensorFlow.js uses it. */

/** What the adapter says about itself. */
export interface WebGpuAdapterReport {
  description: string;
  vendor: string;
  architecture: string;
  /** A software rasterizer (Mesa's llvmpipe/lavapipe, SwiftShader, WARP), far slower than a GPU. */
  softwareFallback: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|warp|software/i;

/** Asks for an adapter; returns `undefined` (with a reason) when there is none. */
export async function probeWebGpu(): Promise<
  { adapter: WebGpuAdapterReport } | { reason: string }
> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu) return { reason: "navigator.gpu is not available in this runtime" };
  quietVulkanLoader();
  let adapter;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (err) {
    return { reason: `requestAdapter failed: ${(err as Error).message}` };
  }
  if (!adapter) {
    return {
      reason: "no WebGPU adapter (install a Vulkan driver; for a software one: " +
        "apt-get install mesa-vulkan-drivers)",
    };
  }
  const info = adapter.info ?? {};
  const description = String(info.description || info.device || "unknown adapter");
  return {
    adapter: {
      description,
      vendor: String(info.vendor ?? ""),
      architecture: String(info.architecture ?? ""),
      softwareFallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) ||
        SOFTWARE_NAMES.test(description),
    },
  };
}

/** One line for logs and benchmark tables. */
export function describeAdapter(a: WebGpuAdapterReport): string {
  const kind = a.softwareFallback ? "software fallback" : "hardware";
  const arch = a.architecture ? `, ${a.architecture}` : "";
  return `WebGPU: ${a.description} (vendor ${a.vendor || "?"}${arch}; ${kind})`;
}

/**
 * Mesa's Vulkan loader complains on stderr when `XDG_RUNTIME_DIR` is unset (headless, CI): point
 * it at {@link runtimeDir}, one private folder per user that every process reuses (a fresh
 * temporary folder per process was left behind by each; the loader writes nothing into it).
 */
function quietVulkanLoader(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    const dir = runtimeDir();
    if (dir) Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch { /* no --allow-env or --allow-write: the warning is harmless */ }
}

/**
 * `<tmp>/simclr-runtime-<uid>`, created with mode 0700 if missing; undefined when it exists but
 * is not a private folder of this user (a link, someone else's), which is then left alone.
 */
export function runtimeDir(): string | undefined {
  const uid = Deno.uid();
  const tmp = (Deno.env.get("TMPDIR") || "/tmp").replace(/\/+$/, "") || "/";
  const dir = `${tmp}/simclr-runtime-${uid ?? "user"}`;
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  const info = Deno.lstatSync(dir);
  const mine = uid === null || info.uid === uid;
  const ownerOnly = info.mode === null || (info.mode & 0o077) === 0;
  return info.isDirectory && !info.isSymlink && mine && ownerOnly ? dir : undefined;
}
