/**
 * The second pass of a split-K product: `out[i] = sum_s partial[s, i]` over the slices, one
 * thread per output element (vec4 when the row length allows).
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type * as tf from "@tensorflow/tfjs";
import { flatGrid, loopCost, run } from "./program.ts";

const WG = 64;

/**
 * Sums `partial` (`[slices, ...shape]`, flat) over its first axis into a tensor of `shape`, and
 * releases `partial`; one slice is returned as it is (it already holds the sum).
 */
export function reduceSlices(
  backend: WebGPUBackend,
  partial: tf.TensorInfo,
  slices: number,
  shape: number[],
): tf.TensorInfo {
  if (slices === 1) return partial;
  const size = shape.reduce((a, b) => a * b, 1);
  const vec = size % 4 === 0 ? 4 : 1;
  const units = size / vec;
  const grid = flatGrid(units, WG);
  const type = vec === 4 ? "vec4<f32>" : "f32";
  const out = run(backend, {
    key: `reduce_slices_${slices}_${units}_${vec}`,
    outputShape: shape,
    inputs: ["p"],
    inputComponents: [vec],
    outputComponent: vec,
    workgroupSize: WG,
    dispatch: grid.dispatch,
    source: `
fn kernel() {
  let i = ${grid.index};
  if (i < ${units}) {
    var acc : ${type} = ${type}(0.0);
    for (var s = 0; s < ${slices}; s++) { acc = acc + p[i + s * ${units}]; }
    result[i] = acc;
  }
}
`,
    loopIterations: loopCost(slices),
  }, [partial]);
  backend.disposeData(partial.dataId);
  return out;
}
