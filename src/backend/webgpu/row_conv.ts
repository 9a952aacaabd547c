/**
 * Convolutions by output row segments, for software adapters. One thread computes `tm`
 * consecutive output pixels of a row (of `rh` rows) for `tn` output channels: for each filter
 * row `kh` and vec4 of input channels it loads the input pixels under the segment once
 * (`s*(tm-1) + kw` of them at stride s) and uses each for every tap along w that covers it.
 * An implicit GEMM loads an input pixel once per tap it meets (3 times along a row for a 3x3
 * filter at stride 1); on llvmpipe, where every load from memory is a loop over the SIMD
 * lanes and costs ~10x an FMA, that is most of the time. The filter gradient ({@link rowFilterGrad}) is summed
 * the same way, and a stride-1 input gradient is the convolution of `dy` with the filter
 * flipped in space and transposed in channels ({@link rowInputGrad}).
 *
 * Measured on llvmpipe (bench net, 128 views, whole training step, same process, steps
 * alternating): 0.80 of the step's CPU time with the forward and input gradient by rows,
 * 0.72 with the filter gradient too, and x0.89 again with blocks of several rows on maps
 * narrower than 32 (the forward's filter loads then serve up to 32 pixels).
 *
 * Each thread reads straight from the buffers (no workgroup memory, no barrier): on a CPU a
 * workgroup-memory access costs what a buffer access does.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type { ConvGeometry } from "../conv_geometry.ts";
import { geometryKey } from "./conv_info.ts";
import { ceilDiv, flatGrid, loopCost, run } from "./program.ts";
import { reduceSlices } from "./reduce_slices.ts";
import { getLoopLimit } from "./tuning.ts";

/** Threads per workgroup: one SIMD group of llvmpipe (8 lanes). */
const WG = 8;

/** Threads a filter gradient splits into at least: 8 workgroups, to share among CPU threads. */
const MIN_THREADS = 64;

/**
 * Whether {@link rowConv} and {@link rowFilterGrad} compute `g` (any stride and padding): no
 * dilation, output channels in whole vec4s (input channels go by vec4s where they can, else
 * one at a time), and taps along w that overlap (filter wider than the stride). Without the
 * overlap (1x1 filters) nothing is reused, and the filter gradient's small per-thread block
 * would load twice what the GEMM's does per FMA.
 */
export function rowConvFits(g: ConvGeometry): boolean {
  return g.dilationH === 1 && g.dilationW === 1 && g.outC % 4 === 0 && g.kW > g.strideW;
}

/**
 * Whether {@link rowInputGrad} computes the input gradient of `g`: stride 1 and input
 * channels in vec4s as well (they are that convolution's output channels).
 */
export function rowInputGradFits(g: ConvGeometry): boolean {
  return rowConvFits(g) && g.inC % 4 === 0 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop < g.kH &&
    g.padLeft < g.kW;
}

/** The largest divisor of `n` that is at most `max` (segment lengths along a row). */
function largestDivisor(n: number, max: number): number {
  for (let d = Math.min(max, n); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * WGSL statements loading the `count` input pixels of a segment for one filter row (`xBase`
 * in scope: the row's first vec4 of channel `c4`, `rowOk`, and `iw0`, the first pixel's
 * column): `xs{i}`, 0 outside the input.
 */
function loadSegment(count: number, inW: number, cv: number, vec: boolean): string[] {
  const zero = vec ? "vec4<f32>(0.0)" : "0.0";
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      `let ok${i} = rowOk && u32(iw0 + ${i}) < ${inW}u;`,
      `let xs${i} = select(${zero}, x[select(0, xBase + (iw0 + ${i}) * ${cv}, ok${i})], ok${i});`,
    );
  }
  return lines;
}

/** The WGSL value of input channel `j` of segment pixel `i` (see {@link loadSegment}). */
function segmentChannel(i: number, j: number, vec: boolean): string {
  return vec ? `xs${i}[${j}]` : `xs${i}`;
}

/** `y = x * W` (NHWC; HWIO filter) for a geometry that {@link rowConvFits}. */
export function rowConv(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (!rowConvFits(g)) throw new RangeError(`row convolution: unsupported geometry`);
  const { batch: B, inH, inW, inC: C, outH, outW, outC: CO, kH, kW, strideH, strideW } = g;
  // Output pixels per thread: a segment of up to 32 of a row (a CIFAR row), and on narrower
  // maps as many rows of such segments as make up to 32 pixels: the filter's values loaded
  // for one filter row serve them all.
  const tm = largestDivisor(outW, 32);
  const rh = largestDivisor(outH, Math.floor(32 / tm));
  const pixels = rh * tm;
  // 16 channels per thread where the block is small (fewer pixels to spread the loads over).
  const tn = pixels <= 16 && CO % 16 === 0 ? 16 : CO % 8 === 0 ? 8 : 4;
  // Input channels by vec4s, or one at a time (a 3-channel stem).
  const vec = C % 4 === 0, cw = vec ? 4 : 1, cv = C / cw;
  const segments = outW / tm, blocks = CO / tn, cov = CO / 4, rowGroups = outH / rh;
  const threads = B * rowGroups * segments * blocks;
  const grid = flatGrid(threads, WG);
  const acc = (q: number, r: number, c: number) => `acc_${q}_${r}_${c}`;
  const decls: string[] = [];
  const writes: string[] = [];
  for (let q = 0; q < rh; q++) {
    for (let r = 0; r < tm; r++) {
      for (let c = 0; c < tn / 4; c++) {
        decls.push(`var ${acc(q, r, c)} = vec4<f32>(0.0);`);
        writes.push(`result[outBase + ${(q * outW + r) * cov + c}] = ${acc(q, r, c)};`);
      }
    }
  }
  // One filter row and vec4 of input channels: the filter's vec4s of output channels per tap
  // along w and channel j of the vec4; then per output row of the block, the input pixels
  // under its segment and the FMAs.
  const body: string[] = [];
  for (let kw = 0; kw < kW; kw++) {
    for (let j = 0; j < cw; j++) {
      for (let c = 0; c < tn / 4; c++) {
        body.push(
          `let w${kw}_${j}_${c} = W[((kh * ${kW} + ${kw}) * ${C} + c4 * ${cw} + ${j}) * ${cov} + co4 + ${c}];`,
        );
      }
    }
  }
  for (let q = 0; q < rh; q++) {
    body.push(
      `{`,
      `let ih = (oh0 + ${q}) * ${strideH} - ${g.padTop} + kh;`,
      `let rowOk = u32(ih) < ${inH}u;`,
      `let xBase = (n * ${inH} + select(0, ih, rowOk)) * ${inW * cv} + c4;`,
      ...loadSegment(strideW * (tm - 1) + kW, inW, cv, vec),
    );
    for (let kw = 0; kw < kW; kw++) {
      for (let j = 0; j < cw; j++) {
        for (let r = 0; r < tm; r++) {
          for (let c = 0; c < tn / 4; c++) {
            const a = acc(q, r, c);
            const xv = segmentChannel(strideW * r + kw, j, vec);
            body.push(`${a} = fma(vec4<f32>(${xv}), w${kw}_${j}_${c}, ${a});`);
          }
        }
      }
    }
    body.push(`}`);
  }
  const source = `
fn kernel() {
  let t = ${grid.index};
  if (t >= ${threads}) { return; }
  let co4 = (t % ${blocks}) * ${tn / 4};
  let ow0 = ((t / ${blocks}) % ${segments}) * ${tm};
  let oh0 = ((t / ${blocks * segments}) % ${rowGroups}) * ${rh};
  let n = t / ${blocks * segments * rowGroups};
  let iw0 = ow0 * ${strideW} - ${g.padLeft};
  ${decls.join("\n  ")}
  for (var kh = 0; kh < ${kH}; kh++) {
    for (var c4 = 0; c4 < ${cv}; c4++) {
      ${body.join("\n      ")}
    }
  }
  let outBase = ((n * ${outH} + oh0) * ${outW} + ow0) * ${cov} + co4;
  ${writes.join("\n  ")}
}`;
  return run(backend, {
    key: `rowconv_${geometryKey(g)}_${rh}x${tm}x${tn}`,
    outputShape: [B, outH, outW, CO],
    inputs: ["x", "W"],
    inputComponents: [cw, 4],
    outputComponent: 4,
    workgroupSize: WG,
    dispatch: grid.dispatch,
    source,
    loopIterations: loopCost(kH, loopCost(cv)),
  }, [x, filter]);
}

/**
 * `dx` (NHWC) of the stride-1 convolution `g` ({@link rowInputGradFits}): the convolution of
 * `dy` with `W'[kh, kw, co, ci] = W[kH-1-kh, kW-1-kw, ci, co]`, padded by `k-1-pad` before.
 */
export function rowInputGrad(
  backend: WebGPUBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (!rowInputGradFits(g)) throw new RangeError(`row input gradient: unsupported geometry`);
  const { kH, kW, inC: C, outC: CO } = g;
  const size = kH * kW * C * CO;
  const grid = flatGrid(size, 64);
  const flipped = run(backend, {
    key: `flipfilter_${kH}_${kW}_${C}_${CO}`,
    outputShape: [kH, kW, CO, C],
    inputs: ["W"],
    workgroupSize: 64,
    dispatch: grid.dispatch,
    source: `
fn kernel() {
  let i = ${grid.index};
  if (i >= ${size}) { return; }
  let ci = i % ${C};
  let co = (i / ${C}) % ${CO};
  let tap = i / ${C * CO};
  result[i] = W[((${kH * kW - 1} - tap) * ${C} + ci) * ${CO} + co];
}`,
    loopIterations: 0,
  }, [filter]);
  const dx = rowConv(backend, dy, flipped, {
    ...g,
    inH: g.outH,
    inW: g.outW,
    inC: CO,
    outH: g.inH,
    outW: g.inW,
    outC: C,
    padTop: kH - 1 - g.padTop,
    padLeft: kW - 1 - g.padLeft,
  });
  backend.disposeData(flipped.dataId);
  return dx;
}

/**
 * `dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s - pt + kh, ow*s - pl + kw, ci] dy[n, oh, ow, co]`
 * (the filter gradient, HWIO) for a geometry that {@link rowConvFits}. One thread sums, for a
 * vec4 of input channels and `tn` output channels, every tap (kh, kw) over a slice of the
 * rows (n, oh), `rb` rows at a time: per segment of `l` output pixels it loads the gradient
 * pixels once and uses each for all taps, and the input pixels under the segment once per
 * input row, for every tap along w and every (output row, filter row) pair that meets that
 * row. Slices (split K) give the device at least {@link MIN_THREADS} threads and keep each
 * thread's loops within the loop limit; a second pass sums them.
 */
export function rowFilterGrad(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  if (!rowConvFits(g)) throw new RangeError(`row filter gradient: unsupported geometry`);
  const { batch: B, inH, inW, inC: C, outH, outW, outC: CO, kH, kW, strideH, strideW } = g;
  // Pixels per segment and output rows per step: up to 16 pixels in all keep the unrolled body
  // (kH*kW*l*rb*tn FMAs) quick to compile. Output rows q and filter rows kh meeting the same
  // input row (q*s + kh) share its loads.
  const l = largestDivisor(outW, 8);
  const rb = largestDivisor(outH, Math.floor(16 / l));
  const tn = CO % 8 === 0 ? 8 : 4;
  const vec = C % 4 === 0, cw = vec ? 4 : 1, cv = C / cw;
  const cov = CO / 4, blocks = CO / tn, segments = outW / l;
  const rows = B * (outH / rb);
  const perSlice = blocks * cv;
  // Row blocks one thread may loop over within the loop limit (each runs the segment loop).
  const maxRows = Math.floor((getLoopLimit() - 1) / (1 + loopCost(segments)));
  const slices = Math.min(rows, Math.max(ceilDiv(MIN_THREADS, perSlice), ceilDiv(rows, maxRows)));
  const rowsPerSlice = ceilDiv(rows, slices);
  const threads = perSlice * slices;
  const grid = flatGrid(threads, WG);
  const tap = (kh: number, kw: number, j: number, c: number) => `a${kh}_${kw}_${j}_${c}`;
  const acc: string[] = [];
  const writes: string[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let j = 0; j < cw; j++) {
        for (let c = 0; c < tn / 4; c++) {
          acc.push(`var ${tap(kh, kw, j, c)} = vec4<f32>(0.0);`);
          const at = ((kh * kW + kw) * C + j) * cov + c;
          writes.push(`result[outBase + ${at}] = ${tap(kh, kw, j, c)};`);
        }
      }
    }
  }
  const body: string[] = [];
  for (let q = 0; q < rb; q++) {
    for (let p = 0; p < l; p++) {
      for (let c = 0; c < tn / 4; c++) {
        body.push(`let d${q}_${p}_${c} = dy[dyBase + ${(q * outW + p) * cov + c}];`);
      }
    }
  }
  // Input row ir of the block serves output row q with filter row kh = ir - q*s.
  for (let ir = 0; ir < (rb - 1) * strideH + kH; ir++) {
    body.push(
      `{`,
      `let ih = oh0 * ${strideH} + (${ir - g.padTop});`,
      `let rowOk = u32(ih) < ${inH}u;`,
      `let xBase = (n * ${inH} + select(0, ih, rowOk)) * ${inW * cv} + c4;`,
      ...loadSegment(strideW * (l - 1) + kW, inW, cv, vec),
    );
    for (let q = 0; q < rb; q++) {
      const kh = ir - q * strideH;
      if (kh < 0 || kh >= kH) continue;
      for (let kw = 0; kw < kW; kw++) {
        for (let p = 0; p < l; p++) {
          for (let j = 0; j < cw; j++) {
            for (let c = 0; c < tn / 4; c++) {
              const a = tap(kh, kw, j, c);
              const xv = segmentChannel(strideW * p + kw, j, vec);
              body.push(`${a} = fma(vec4<f32>(${xv}), d${q}_${p}_${c}, ${a});`);
            }
          }
        }
      }
    }
    body.push(`}`);
  }
  const source = `
fn kernel() {
  let t = ${grid.index};
  if (t >= ${threads}) { return; }
  let co4 = (t % ${blocks}) * ${tn / 4};
  let c4 = (t / ${blocks}) % ${cv};
  let slice = t / ${perSlice};
  let rowBegin = slice * ${rowsPerSlice};
  let rowEnd = min(rowBegin + ${rowsPerSlice}, ${rows});
  ${acc.join("\n  ")}
  for (var row = rowBegin; row < rowEnd; row++) {
    let n = row / ${outH / rb};
    let oh0 = (row % ${outH / rb}) * ${rb};
    for (var s = 0; s < ${segments}; s++) {
      let ow0 = s * ${l};
      let iw0 = ow0 * ${strideW} - ${g.padLeft};
      let dyBase = ((n * ${outH} + oh0) * ${outW} + ow0) * ${cov} + co4;
      ${body.join("\n      ")}
    }
  }
  let outBase = slice * ${kH * kW * C * cov} + c4 * ${cw * cov} + co4;
  ${writes.join("\n  ")}
}`;
  const filterShape = [kH, kW, C, CO];
  const partial = run(backend, {
    key: `rowfiltergrad_${geometryKey(g)}_${rb}x${l}x${tn}_s${slices}`,
    outputShape: slices > 1 ? [slices, ...filterShape] : filterShape,
    inputs: ["x", "dy"],
    inputComponents: [cw, 4],
    outputComponent: 4,
    workgroupSize: WG,
    dispatch: grid.dispatch,
    source,
    loopIterations: loopCost(rowsPerSlice, loopCost(segments)),
  }, [x, dy]);
  return reduceSlices(backend, partial, slices, filterShape);
}
