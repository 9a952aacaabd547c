/** The backend names as values, for parsing `--backend` and the config's `train.backend`. */
import type { BackendName, BackendRequest } from "./info.ts";

/** Names accepted by `--backend`, in the order `auto` tries them. */
export const BACKEND_NAMES = [
  "tensorflow",
  "webgpu",
  "native",
  "wasm",
  "cpu",
] as const satisfies readonly BackendName[];

/** Fails to compile when a {@link BackendName} is missing from {@link BACKEND_NAMES}. */
const _everyNameListed: [Exclude<BackendName, typeof BACKEND_NAMES[number]>] extends [never] ? true
  : never = true;

/** What `--backend` and the config's `train.backend` accept: `auto`, then every backend name. */
export const BACKEND_REQUESTS = ["auto", ...BACKEND_NAMES] as const;

/** True when `name` is a backend name or `auto`. */
export function isBackendRequest(name: string): name is BackendRequest {
  return name === "auto" || (BACKEND_NAMES as readonly string[]).includes(name);
}
