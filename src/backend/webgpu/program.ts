/**
 * The project's WGSL compute programs, in the shape tfjs-backend-webgpu 4.22's
 * `runWebGPUProgram` takes (its `WebGPUProgram` interface, not exported by the package's main
 * entry, is restated here). The backend wraps `getUserCode()` in its own header: a binding
 * `result` for the output, one binding per name in `variableNames` (after `result`, in order),
 * a `uniforms` block (shapes and strides of every input and the output, which these programs
 * do not need: their sizes are compiled in as constants), the builtins as private globals
 * (`localId`, `localIndex`, `workgroupId`, `numWorkgroups`, `globalId`), and an entry point
 * that calls `fn main(index: i32)`. Here `main` is added by {@link ProjectProgram}: it touches
 * the uniforms (the pipeline layout is derived from the bindings a shader uses, and the
 * backend always binds the uniforms) and calls the program's `fn kernel()`, which indexes
 * with the builtins.
 *
 * Since the sizes are constants, `key` must name every number the source depends on: the
 * backend caches compiled pipelines by `key` (plus input ranks and dtypes).
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { getLoopLimit } from "./tuning.ts";

/** What a project program declares. */
export interface ProgramSpec {
  /** Cache key: every compile-time constant of the source must be in it. */
  key: string;
  /** Output shape (the backend allocates it unless an output is passed to {@link run}). */
  outputShape: number[];
  /** Binding names of the inputs, in the order they are passed to {@link run}. */
  inputs: string[];
  /** Components per element of each input binding (4: `array<vec4<f32>>`); default 1. */
  inputComponents?: number[];
  /** Components per element of `result` (4: `array<vec4<f32>>`); default 1. */
  outputComponent?: number;
  /** Threads per workgroup (x only; programs lay threads out themselves). */
  workgroupSize: number;
  /** Workgroups to dispatch, `[x, y, z]`. */
  dispatch: [number, number, number];
  /** WGSL after the backend's header: must define `fn kernel()`, the program's body. */
  source: string;
  /**
   * The most loop iterations one invocation runs, all loops of `source` together (0: no
   * loops), counted by {@link loopCost}. Checked against {@link getLoopLimit}: software
   * adapters end longer loops early.
   */
  loopIterations: number;
}

/**
 * What a loop of `iterations` iterations, each running inner loops that cost `body`, counts
 * against the loop limit: llvmpipe's limiter counts every iteration and the pass that leaves
 * the loop (measured with nested loops), so `iterations * (1 + body) + 1`.
 */
export function loopCost(iterations: number, body = 0): number {
  return iterations * (1 + body) + 1;
}

/**
 * One program as the backend expects it (`WebGPUProgram`). A class, so that the backend's
 * pipeline labels and profile entries name it; created afresh for every call, since the
 * backend rewrites `shaderKey` and `dispatch` in place.
 */
export class ProjectProgram {
  readonly outputShape: number[];
  shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  readonly variableNames: string[];
  readonly variableComponents?: number[];
  readonly outputComponent?: number;
  readonly workgroupSize: [number, number, number];
  readonly #source: string;

  constructor(spec: ProgramSpec) {
    const limit = 65535;
    if (spec.dispatch.some((d) => d > limit || d < 1 || !Number.isInteger(d))) {
      throw new RangeError(
        `${spec.key}: dispatch ${spec.dispatch} must be whole numbers in 1..${limit} per axis`,
      );
    }
    this.outputShape = spec.outputShape;
    this.shaderKey = `simclr_${spec.key}`;
    // Flat layout: the backend's entry point then calls `main(index)`. The dispatch is never
    // reshaped (each axis is within the limit), so the builtins keep their meaning.
    this.dispatchLayout = { x: spec.outputShape.map((_, i) => i) };
    this.dispatch = spec.dispatch;
    this.variableNames = spec.inputs;
    if (spec.inputComponents) this.variableComponents = spec.inputComponents;
    if (spec.outputComponent) this.outputComponent = spec.outputComponent;
    this.workgroupSize = [spec.workgroupSize, 1, 1];
    this.#source = spec.source;
  }

  /** The WGSL the backend appends to its header. */
  getUserCode(): string {
    return `${this.#source}
fn main(index : i32) {
  _ = uniforms.NAN;
  kernel();
}
`;
  }
}

/**
 * Runs `spec` on `backend` with `inputs`; the output is a new float32 tensor of
 * `spec.outputShape`, or `output` when given (written in place, e.g. by several programs).
 */
export function run(
  backend: WebGPUBackend,
  spec: ProgramSpec,
  inputs: tf.TensorInfo[],
  output?: tf.TensorInfo,
): tf.TensorInfo {
  if (inputs.length !== spec.inputs.length) {
    throw new TypeError(`${spec.key}: ${inputs.length} inputs for bindings ${spec.inputs}`);
  }
  const limit = getLoopLimit();
  if (!(spec.loopIterations <= limit)) {
    throw new RangeError(
      `${spec.key}: one invocation would run ${spec.loopIterations} loop iterations, past the ` +
        `${limit} a software adapter runs before it ends a shader's loops early (Mesa llvmpipe ` +
        `stops them after 65535, silently, leaving a wrong result); this is a bug in the ` +
        `kernel's work split: report it with the shapes of the call`,
    );
  }
  for (const t of inputs) {
    if (t.dtype !== "float32") {
      throw new TypeError(`${spec.key}: input of dtype ${t.dtype}, expected float32`);
    }
  }
  return backend.runWebGPUProgram(
    new ProjectProgram(spec) as unknown as Parameters<WebGPUBackend["runWebGPUProgram"]>[0],
    inputs,
    "float32",
    undefined,
    output,
  );
}

/** `ceil(a / b)` for positive integers. */
export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/**
 * A one-dimensional grid of `units` threads in workgroups of `workgroupSize`, spread over x and
 * y when there are more than 65535 workgroups: the dispatch and the WGSL expression of a
 * thread's index (which can reach past `units` in the last workgroups: guard it).
 */
export function flatGrid(
  units: number,
  workgroupSize: number,
): { dispatch: [number, number, number]; index: string } {
  const groups = Math.max(1, ceilDiv(units, workgroupSize));
  const x = Math.min(groups, 65535);
  const y = ceilDiv(groups, x);
  return {
    dispatch: [x, y, 1],
    index:
      `((i32(workgroupId.y) * ${x} + i32(workgroupId.x)) * ${workgroupSize} + i32(localIndex))`,
  };
}
