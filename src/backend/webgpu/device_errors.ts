/**
 * WebGPU reports validation errors (a shader that does not compile, a binding over a limit)
 * and device loss asynchronously, and skips the failing dispatch: the tensors it should have
 * written keep whatever they held. Training on them would be silently wrong, so once the device
 * reports such a failure every later read of a tensor from the backend (`await t.data()`,
 * which the trainer does for the loss and every checkpoint, evaluation for features) rejects
 * with it, and the run stops with the message.
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

let failure: Error | undefined;
const watched = new WeakSet<object>();

/** The first failure the device reported (undefined: none). */
export function deviceFailure(): Error | undefined {
  return failure;
}

/** Forgets a reported validation error (tests that provoke one); a lost device stays lost. */
export function clearDeviceFailure(): void {
  if (failure && !failure.message.startsWith("the WebGPU device was lost")) failure = undefined;
}

function fail(message: string): void {
  if (failure) return;
  failure = new Error(message);
  console.error(message);
}

/**
 * Watches `backend`'s device for validation errors and loss, and makes the backend's reads
 * reject once one was reported (see the module comment). Idempotent.
 */
export function watchDevice(backend: WebGPUBackend): void {
  if (watched.has(backend)) return;
  watched.add(backend);
  const device = (backend as unknown as { device: GPUDevice }).device;
  device.addEventListener("uncapturederror", (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    fail(
      `WebGPU error: ${message}\nThe dispatch was skipped, so results computed since are ` +
        `wrong; the run stops here. If it names a project shader (ProjectProgram), report it ` +
        `and switch the project kernels off with SIMCLR_WEBGPU_KERNELS=stock meanwhile.`,
    );
  });
  device.lost.then((info) => {
    fail(`the WebGPU device was lost (${info.reason}): ${info.message}; restart the run`);
  });
  const read = backend.read.bind(backend);
  backend.read = async (dataId) => {
    const values = await read(dataId);
    if (failure) throw failure;
    return values;
  };
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    const values = readSync(dataId);
    if (failure) throw failure;
    return values;
  };
}
