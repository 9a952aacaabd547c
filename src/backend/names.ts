/** Names accepted by `--backend`, in the order `auto` tries them. */
export const BACKEND_NAMES = ["tensorflow", "webgpu", "native", "wasm", "cpu"] as const;

/** A concrete TensorFlow.js compute backend this project can start. */
export type BackendName = typeof BACKEND_NAMES[number];

/** What a user may ask for: a concrete backend, or `auto` to pick the fastest that starts. */
export type BackendRequest = BackendName | "auto";

/** What `--backend` and the config's `train.backend` accept: `auto`, then every backend name. */
export const BACKEND_REQUESTS = ["auto", ...BACKEND_NAMES] as const;

/** True when `name` is a backend name or `auto`. */
export function isBackendRequest(name: string): name is BackendRequest {
  return name === "auto" || (BACKEND_NAMES as readonly string[]).includes(name);
}
