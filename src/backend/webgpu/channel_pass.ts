/**
 * Passes over channels-last data viewed as `[M, C]` (M = N*H*W), laid out for coalesced
 * reads: a workgroup's threads take consecutive channels (vec4s of them when C % 4 == 0) and
 * several row lanes; workgroups along x take blocks of rows, along y blocks of channels. Each
 * thread loads its channel's per-channel values once and then loops over its rows.
 *
 * - {@link channelSums}: two per-channel sums in one read of the data, as a two-level tree:
 *   each thread sums its rows, the workgroup adds its row lanes in workgroup memory and
 *   writes one partial per row block (level 1); {@link finishSums} adds the partials of
 *   every row block (level 2) and applies a final expression.
 * - {@link channelMap}: an element-wise pass with per-channel operands.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { ceilDiv, flatGrid, loopCost, run } from "./program.ts";
import { getLoopLimit, getTargetWorkgroups, isSoftwareAdapter } from "./tuning.ts";

/** The thread layout of a pass over `[m, c]`. */
interface Layout {
  m: number;
  c: number;
  /** 4 when channels go by vec4s. */
  vec: number;
  /** Channel units (vec4s or scalars). */
  cv: number;
  wg: number;
  lanesC: number;
  rowLanes: number;
  chunks: number;
  groups: number;
  /** Rows per workgroup (a multiple of rowLanes). */
  rowsPerGroup: number;
}

/**
 * The layout for `rowsPerThread` rows per thread, fewer where a thread would loop past the loop
 * limit (its rows, plus the `rowLanes` of a workgroup's own reduction).
 */
function layout(m: number, c: number, rowsPerThread: number): Layout {
  const vec = c % 4 === 0 ? 4 : 1;
  const cv = c / vec;
  const wg = isSoftwareAdapter() ? 64 : 256;
  const lanesC = Math.min(cv, wg);
  const rowLanes = Math.max(1, Math.floor(wg / lanesC));
  const chunks = ceilDiv(cv, lanesC);
  rowsPerThread = Math.max(1, Math.min(rowsPerThread, getLoopLimit() - rowLanes - 2));
  let groups = Math.max(1, ceilDiv(m, rowLanes * rowsPerThread));
  groups = Math.min(groups, 65535);
  const rowsPerGroup = ceilDiv(ceilDiv(m, groups), rowLanes) * rowLanes;
  groups = ceilDiv(m, rowsPerGroup);
  return { m, c, vec, cv, wg, lanesC, rowLanes, chunks, groups, rowsPerGroup };
}

/** What a thread's loop over its rows of a row block counts against the loop limit. */
function rowLoops(l: Layout): number {
  return loopCost(ceilDiv(l.rowsPerGroup, l.rowLanes));
}

function type(vec: number): string {
  return vec === 4 ? "vec4<f32>" : "f32";
}

/** WGSL prelude of a pass: thread coordinates, the channel unit `c`, the row range. */
function prelude(l: Layout): string {
  return `
  let lid = i32(localIndex);
  let cl = lid % ${l.lanesC};
  let rl = lid / ${l.lanesC};
  let c = i32(workgroupId.y) * ${l.lanesC} + cl;
  let live = rl < ${l.rowLanes} && c < ${l.cv};
  let cc = min(c, ${l.cv - 1});
  let rowBegin = i32(workgroupId.x) * ${l.rowsPerGroup};
  let rowEnd = min(rowBegin + ${l.rowsPerGroup}, ${l.m});`;
}

/** What a {@link channelSums} pass adds up. */
export interface SumsSpec {
  key: string;
  /** Binding names of the inputs (`[M, C]` data or `[C]` per-channel values). */
  inputs: string[];
  /** WGSL statements run once per thread (may read per-channel inputs at unit `cc`). */
  setup: string;
  /** WGSL statements for row `r` (element unit `at = r * cv + cc`): define `t1` and `t2`. */
  terms: string;
}

/** Level 1: partial sums `[groups, 2, C]` of the terms `t1` and `t2` over each row block. */
export function channelSums(
  backend: WebGPUBackend,
  m: number,
  c: number,
  spec: SumsSpec,
  inputs: tf.TensorInfo[],
): { partial: tf.TensorInfo; groups: number } {
  // Few row blocks: level 2 adds them serially per channel.
  const l = layout(m, c, 1);
  const want = Math.max(1, Math.round(getTargetWorkgroups() / l.chunks));
  const rows = Math.max(32, ceilDiv(m, l.rowLanes * want));
  const lay = layout(m, c, rows);
  const t = type(lay.vec);
  const source = `
var<workgroup> sh1 : array<${t}, ${lay.wg}>;
var<workgroup> sh2 : array<${t}, ${lay.wg}>;

fn kernel() {
  ${prelude(lay)}
  ${spec.setup}
  var s1 = ${t}(0.0);
  var s2 = ${t}(0.0);
  if (live) {
    for (var r = rowBegin + rl; r < rowEnd; r += ${lay.rowLanes}) {
      let at = r * ${lay.cv} + cc;
      ${spec.terms}
      s1 = s1 + t1;
      s2 = s2 + t2;
    }
  }
  sh1[lid] = s1;
  sh2[lid] = s2;
  workgroupBarrier();
  if (rl == 0 && c < ${lay.cv}) {
    for (var j = 1; j < ${lay.rowLanes}; j++) {
      s1 = s1 + sh1[lid + j * ${lay.lanesC}];
      s2 = s2 + sh2[lid + j * ${lay.lanesC}];
    }
    let g = i32(workgroupId.x);
    result[(g * 2) * ${lay.cv} + c] = s1;
    result[(g * 2 + 1) * ${lay.cv} + c] = s2;
  }
}
`;
  const partial = run(backend, {
    key: `chsum_${spec.key}_${m}_${c}_${lay.groups}_${lay.wg}`,
    outputShape: [lay.groups, 2, c],
    inputs: spec.inputs,
    inputComponents: spec.inputs.map(() => lay.vec),
    outputComponent: lay.vec,
    workgroupSize: lay.wg,
    dispatch: [lay.groups, lay.chunks, 1],
    source,
    // The rows, then the workgroup's own sum over the other row lanes.
    loopIterations: rowLoops(lay) + loopCost(lay.rowLanes - 1),
  }, inputs);
  return { partial, groups: lay.groups };
}

/**
 * Level 2: `out[j, c] = finish[j](S1[c], S2[c])` with `S1`, `S2` the sums of the partials over
 * the row blocks; each `finish[j]` is a WGSL expression of `S1`, `S2` and the extra
 * per-channel inputs (read at unit `c`), bound after `partial`. The output is `[C]` for one
 * expression, `[rows, C]` for several.
 */
export function finishSums(
  backend: WebGPUBackend,
  partial: tf.TensorInfo,
  groups: number,
  c: number,
  spec: { key: string; finish: string[]; extra?: string[] },
  extra: tf.TensorInfo[] = [],
): tf.TensorInfo {
  const vec = c % 4 === 0 ? 4 : 1;
  const cv = c / vec;
  const t = type(vec);
  const grid = flatGrid(cv, 64);
  const writes = spec.finish.map((f, j) => `result[${j * cv} + c] = ${f};`).join("\n    ");
  const source = `
fn kernel() {
  let c = ${grid.index};
  if (c < ${cv}) {
    var S1 = ${t}(0.0);
    var S2 = ${t}(0.0);
    for (var g = 0; g < ${groups}; g++) {
      S1 = S1 + partial[(g * 2) * ${cv} + c];
      S2 = S2 + partial[(g * 2 + 1) * ${cv} + c];
    }
    ${writes}
  }
}
`;
  const names = ["partial", ...(spec.extra ?? [])];
  const rows = spec.finish.length;
  return run(backend, {
    key: `chfinish_${spec.key}_${groups}_${c}`,
    outputShape: rows === 1 ? [c] : [rows, c],
    inputs: names,
    inputComponents: names.map(() => vec),
    outputComponent: vec,
    workgroupSize: 64,
    dispatch: grid.dispatch,
    source,
    loopIterations: loopCost(groups),
  }, [partial, ...extra]);
}

/** An element-wise pass over `[M, C]`: `setup` per thread, then `body` per row `r` (`at`). */
export function channelMap(
  backend: WebGPUBackend,
  m: number,
  c: number,
  spec: { key: string; inputs: string[]; setup: string; body: string },
  inputs: tf.TensorInfo[],
  outputShape: number[],
): tf.TensorInfo {
  // GPU: a few rows per thread; software: one row block per CPU thread's share of the work.
  const l0 = layout(m, c, 1);
  const rows = isSoftwareAdapter()
    ? Math.max(
      1,
      ceilDiv(m, l0.rowLanes * Math.max(1, Math.round(getTargetWorkgroups() / l0.chunks))),
    )
    : 8;
  const l = layout(m, c, rows);
  const source = `
fn kernel() {
  ${prelude(l)}
  ${spec.setup}
  if (live) {
    for (var r = rowBegin + rl; r < rowEnd; r += ${l.rowLanes}) {
      let at = r * ${l.cv} + cc;
      ${spec.body}
    }
  }
}
`;
  return run(backend, {
    key: `chmap_${spec.key}_${m}_${c}_${l.groups}_${l.wg}`,
    outputShape,
    inputs: spec.inputs,
    inputComponents: spec.inputs.map(() => l.vec),
    outputComponent: l.vec,
    workgroupSize: l.wg,
    dispatch: [l.groups, l.chunks, 1],
    source,
    loopIterations: rowLoops(l),
  }, inputs);
}

/** The WGSL type of a channel unit for `c` channels (`vec4<f32>` or `f32`). */
export function channelType(c: number): string {
  return type(c % 4 === 0 ? 4 : 1);
}
