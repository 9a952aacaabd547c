import type { BackendName } from "./names.ts";

/** What a started backend reports about itself. */
export interface BackendInfo {
  /** The backend that runs (after `auto` resolved). */
  name: BackendName;
  /** The TensorFlow.js backend registered under the hood (`native` runs on `wasm`). */
  tfBackend: string;
  /** A one-line description of the device: adapter, CPU threads, library versions. */
  device: string;
  /** For WebGPU: true when the adapter is a software rasterizer (lavapipe, SwiftShader, WARP). */
  softwareFallback?: boolean;
  /** Notes collected while starting: why `auto` skipped a backend, fallbacks taken. */
  notes: string[];
}
