/**
 * The one entry point that starts a TensorFlow.js backend: `auto | tensorflow | webgpu |
 * native | wasm | cpu`. `auto` picks `tensorflow` when its package loads, else `webgpu` when a
 * real (non-fallback) GPU adapter exists, else `native` when its libraries load, else `wasm`.
 */
import * as tf from "@tensorflow/tfjs";
import { activate } from "./activate.ts";
import { BACKEND_NAMES, isBackendRequest } from "./_names.ts";
import type { BackendInfo, BackendName, BackendRequest } from "./info.ts";
import { loadTensorflowBackend } from "./tensorflow.ts";
import { describeAdapter, probeWebGpu } from "./webgpu.ts";
import { startWasm } from "./wasm_start.ts";
import { registerWebGpuKernels } from "./webgpu/register.ts";
import { watchDevice } from "./webgpu/device_errors.ts";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import {
  loadNativeProvider,
  type NativeOptions,
  NativeUnavailableError,
  setNativeKernelsEnabled,
  warnNativeFallback,
} from "./native/load.ts";

/**
 * Options for {@link startBackend}: thread count for `native`, and whether a software WebGPU
 * adapter is acceptable.
 *
 * @example Start the cpu backend with options
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBackend, type StartOptions } from "@simclr/streams/backend";
 *
 * const options: StartOptions = { threads: 1, dataWorkers: 0, allowSoftwareWebGpu: false };
 * const info = await startBackend("cpu", options);
 * assert.equal(info.name, "cpu");
 * ```
 */
export interface StartOptions {
  /** Threads for the `native` backend's libraries; default: cores minus the data workers' share. */
  threads?: number;
  /** Data-loading workers that will share the CPU (lowers the default thread count). */
  dataWorkers?: number;
  /** Accept a software WebGPU adapter when `webgpu` is asked for by name (default true). */
  allowSoftwareWebGpu?: boolean;
}

/**
 * Starts a backend by name (`auto | tensorflow | webgpu | native | wasm | cpu`), makes it
 * TensorFlow.js's active backend and reports what runs. `auto` tries `tensorflow`, then a
 * hardware `webgpu` adapter, then `native`, then `wasm`, and says in `notes` why it skipped each.
 * Asking for `native` where its libraries (or `--allow-ffi`) are missing falls back to `wasm`
 * with a note. The training pipeline calls it with the config's `train.backend`.
 *
 * @param request A backend name or `auto` (default `auto`).
 * @param options Threads for `native`, software WebGPU adapters.
 * @returns What started: its name, the TensorFlow.js backend under it, the device, notes.
 * @throws {RangeError} When `request` is not a backend name; the message lists those that work.
 * @throws {Error} When the named backend does not start; the message lists those that work.
 *
 * @example Run a computation on the cpu backend
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { startBackend } from "@simclr/streams/backend";
 *
 * const info = await startBackend("cpu");
 * assert.equal(info.name, "cpu");
 * assert.equal(tf.getBackend(), "cpu");
 * const sum = tf.tidy(() => tf.tensor1d([1, 2, 3]).sum());
 * assert.equal((await sum.data())[0], 6);
 * sum.dispose();
 * ```
 *
 * @example An unknown name is a RangeError
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBackend } from "@simclr/streams/backend";
 *
 * await assert.rejects(() => startBackend("tpu"), RangeError);
 * ```
 */
export async function startBackend(
  request: BackendRequest | string = "auto",
  options: StartOptions = {},
): Promise<BackendInfo> {
  if (!isBackendRequest(request)) {
    const working = await listWorkingBackends();
    throw new RangeError(
      `unknown backend '${request}': choose one of auto, ${BACKEND_NAMES.join(", ")}. ` +
        `Working on this machine: ${working.join(", ")}.`,
    );
  }
  if (request !== "auto") {
    try {
      if (request === "native") {
        try {
          return await startNamed("native", options, []);
        } catch (err) {
          // Missing library or --allow-ffi: fall back to the pure wasm kernels, saying why once.
          if (!(err instanceof NativeUnavailableError)) throw err;
          return await startNamed("wasm", options, [warnNativeFallback(err)]);
        }
      }
      return await startNamed(request, options, []);
    } catch (err) {
      const working = (await listWorkingBackends()).filter((b) => b !== request);
      throw new Error(
        `backend '${request}' did not start: ${(err as Error).message}\n` +
          `Backends that work on this machine: ${working.join(", ")} (or use --backend auto).`,
        { cause: err },
      );
    }
  }
  const notes: string[] = [];
  for (const name of ["tensorflow", "webgpu", "native"] as const) {
    try {
      if (name === "webgpu") {
        const probe = await probeWebGpu();
        if ("reason" in probe) throw new Error(probe.reason);
        if (probe.adapter.softwareFallback) {
          throw new Error(`only a software adapter (${probe.adapter.description})`);
        }
      }
      return await startNamed(name, options, notes);
    } catch (err) {
      notes.push(`auto: skipped ${name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return await startNamed("wasm", options, notes);
}

async function startNamed(
  name: BackendName,
  options: StartOptions,
  notes: string[],
): Promise<BackendInfo> {
  switch (name) {
    case "tensorflow": {
      const { pkg, device } = await loadTensorflowBackend();
      await activate("tensorflow");
      return { name, tfBackend: "tensorflow", device: `${device} via ${pkg}`, notes };
    }
    case "webgpu": {
      const probe = await probeWebGpu();
      if ("reason" in probe) throw new Error(probe.reason);
      if (probe.adapter.softwareFallback && options.allowSoftwareWebGpu === false) {
        throw new Error(`only a software adapter: ${describeAdapter(probe.adapter)}`);
      }
      await import("@tensorflow/tfjs-backend-webgpu");
      registerWebGpuKernels({ softwareAdapter: probe.adapter.softwareFallback });
      await activate("webgpu");
      watchDevice(tf.backend() as unknown as WebGPUBackend);
      return {
        name,
        tfBackend: "webgpu",
        device: describeAdapter(probe.adapter),
        softwareFallback: probe.adapter.softwareFallback,
        notes,
      };
    }
    case "native": {
      const nativeOptions: NativeOptions = {
        threads: options.threads,
        dataWorkers: options.dataWorkers,
      };
      const provider = await loadNativeProvider(nativeOptions);
      const wasm = await startWasm();
      provider.register();
      return { name, tfBackend: "wasm", device: `${wasm.device} + ${provider.device}`, notes };
    }
    case "wasm": {
      setNativeKernelsEnabled(false); // `wasm` stays pure even after `native` in this process
      const wasm = await startWasm();
      return { name, tfBackend: "wasm", device: wasm.device, notes };
    }
    case "cpu": {
      await activate("cpu");
      return {
        name,
        tfBackend: "cpu",
        device: "TensorFlow.js reference kernels (JavaScript)",
        notes,
      };
    }
  }
}

/**
 * The backends that start on this machine, in `auto`'s order of preference, probed without
 * changing the active backend. `wasm` and `cpu` are always listed.
 *
 * @returns The names of the backends that load here.
 *
 * @example See which backends this machine can run
 * ```ts
 * import assert from "node:assert/strict";
 * import { listWorkingBackends } from "@simclr/streams/backend";
 *
 * const working = await listWorkingBackends();
 * assert.deepEqual(working.slice(-2), ["wasm", "cpu"]);
 * ```
 */
export async function listWorkingBackends(): Promise<BackendName[]> {
  const working: BackendName[] = [];
  try {
    await loadTensorflowBackend();
    working.push("tensorflow");
  } catch { /* not installed: the common case */ }
  const probe = await probeWebGpu();
  if ("adapter" in probe) working.push("webgpu");
  try {
    await loadNativeProvider({});
    working.push("native");
  } catch { /* libraries or --allow-ffi missing */ }
  working.push("wasm", "cpu");
  return working;
}
