/**
 * The WGSL source of a tiled matrix product `C[M, N] = A[M, K] . B[K, N]` whose operands are
 * read through loader functions, so that convolutions run as implicit GEMMs (the im2col matrix
 * is never written). One workgroup computes a `bm x bn` tile of C; each thread a `tm x tn`
 * block of it in registers (`tn / 4` vec4 columns). The contraction runs in chunks of `bk`:
 * the threads copy an A tile and a B tile into workgroup memory (bounds and padding are
 * handled there, with `select`, by the loaders), synchronize, and multiply from workgroup
 * memory: the inner loop is vec4 loads and fused multiply-adds only, with no branch. Each tile
 * is kept in workgroup memory as vec4s along the direction its loader reads (along k:
 * `[outer][k/4]`, else `[k][outer/4]`), so staging never splits a vec4 into scalar stores; the
 * inner loop takes k four at a time and picks components in registers.
 *
 * Loaders may read `gk0`, the first k of the tile being staged (a multiple of `bk`), to
 * decompose k once per tile rather than per element where `bk` divides a period of k.
 *
 * Workgroup axes: x over column tiles, y over row tiles, z over `slices` (split-K: slice `z`
 * sums `k` in `[z * kSlice, (z + 1) * kSlice)`) or over programs' own classes (the spec's
 * `prologue` may set private variables from `gz`, and `kEnd` may depend on them).
 */
import { ceilDiv, loopCost, type ProgramSpec } from "./program.ts";
import { getDispatchLimit, getLoopLimit } from "./tuning.ts";

/** Tile shape of a {@link gemmProgram} program. */
export interface GemmTile {
  /** Rows (M) per workgroup. */
  bm: number;
  /** Columns (N) per workgroup (a multiple of `tn`). */
  bn: number;
  /** Contraction (K) chunk staged in workgroup memory per step (a multiple of 4). */
  bk: number;
  /** Rows per thread (a multiple of 4). */
  tm: number;
  /** Columns per thread (a multiple of 4). */
  tn: number;
}

/**
 * How a loader reads its operand: `fn name(row, col) -> vec4<f32>` returning 4 consecutive
 * elements along `vec`, or `-> f32` (`vec: "none"`), where `contiguous` names the index that
 * moves through memory (consecutive threads take consecutive values of it).
 */
export interface Loader {
  /** Full WGSL function definition: `fn loadA(m: i32, k: i32) -> ...` or `fn loadB(k, n)`. */
  fn: string;
  vec: "row" | "col" | "none";
  contiguous?: "row" | "col";
}

/** What a GEMM-shaped kernel supplies. */
export interface GemmSpec {
  key: string;
  M: number;
  N: number;
  K: number;
  tile: GemmTile;
  /** Split-K slices (workgroups along z each sum one slice of K). Default 1. */
  slices?: number;
  /** Workgroups along z when not slicing (classes set up by `prologue`). Default 1. */
  classes?: number;
  /** A as `loadA(m, k)`: rows are M, columns K. */
  a: Loader;
  /** B as `loadB(k, n)`: rows are K, columns N. */
  b: Loader;
  /**
   * WGSL definitions of `fn store4(m: i32, n: i32, v: vec4<f32>)` (used when N % 4 == 0) or
   * `fn store1(m: i32, n: i32, v: f32)` (otherwise): called only for `m < M`, `n < N`.
   */
  store: string;
  /** Extra module-scope WGSL (private variables, helpers). */
  decls?: string;
  /** Statements run first in `kernel()`, after `gz` (workgroup z) is set. */
  prologue?: string;
  /** WGSL expression: the end of the contraction for this workgroup (default K or the slice's). */
  kEnd?: string;
  inputs: string[];
  inputComponents?: number[];
  outputShape: number[];
  outputComponent?: number;
}

/** Workgroup memory every WebGPU device offers (`maxComputeWorkgroupStorageSize` default). */
const WORKGROUP_BYTES = 16384;

/** Checks that a tile shape is one the generator supports on any WebGPU device. */
export function checkTile(t: GemmTile): void {
  const ok = t.tm % 4 === 0 && t.tn % 4 === 0 && t.bk % 4 === 0 && t.bm % t.tm === 0 &&
    t.bn % t.tn === 0 && t.bm % 4 === 0 && t.bn % 4 === 0 &&
    4 * t.bk * (t.bm + t.bn) <= WORKGROUP_BYTES;
  if (!ok) throw new RangeError(`unsupported GEMM tile ${JSON.stringify(t)}`);
}

/**
 * Loop iterations one invocation runs per `bk`-deep step of the contraction: the step itself,
 * the inner loop over `bk / 4`, and the copy loops of threads that stage more than one unit of
 * a tile, each counted by {@link loopCost}.
 */
export function gemmLoopsPerStep(tile: GemmTile, a: Loader, b: Loader): number {
  const { bm, bn, bk, tm, tn } = tile;
  const threads = (bm / tm) * (bn / tn);
  const copy = (l: Loader, size: number) => {
    const perThread = Math.ceil((l.vec === "none" ? size : size / 4) / threads);
    return perThread > 1 ? loopCost(perThread) : 0;
  };
  return 1 + loopCost(bk / 4) + copy(a, bm * bk) + copy(b, bk * bn);
}

/**
 * The longest contraction one invocation of a {@link gemmProgram} with this tile may run
 * within the loop limit ({@link getLoopLimit}): split-K callers split K into slices no longer.
 */
export function gemmMaxK(tile: GemmTile, a: Loader, b: Loader): number {
  const steps = Math.floor((getLoopLimit() - 1) / gemmLoopsPerStep(tile, a, b));
  if (steps < 1) throw new RangeError(`GEMM tile ${JSON.stringify(tile)}: loops past the limit`);
  return steps * tile.bk;
}

/** The program spec of a GEMM-shaped kernel (see the module comment). */
export function gemmProgram(spec: GemmSpec): ProgramSpec {
  const { M, N, K, tile } = spec;
  checkTile(tile);
  // A vec4 loader needs whole vec4s along its axis (then a bounds check covers all 4 lanes).
  const vecLength = [
    spec.a.vec === "row" ? M : spec.a.vec === "col" ? K : 4,
    spec.b.vec === "row" ? K : spec.b.vec === "col" ? N : 4,
  ];
  if (vecLength.some((n) => n % 4 !== 0)) {
    throw new RangeError(`${spec.key}: vec4 loads along an axis of length ${vecLength}`);
  }
  const { bm, bn, bk, tm, tn } = tile;
  const threads = (bm / tm) * (bn / tn);
  const slices = spec.slices ?? 1;
  const kSlice = slices > 1 ? ceilDiv(ceilDiv(K, slices), bk) * bk : K;
  const z = slices > 1 ? slices : spec.classes ?? 1;
  const kEnd = spec.kEnd ?? (slices > 1 ? `min(${K}, kBegin + ${kSlice})` : `${K}`);
  // More row tiles than a dispatch axis takes (65535): fold them into x as well.
  const tilesM = ceilDiv(M, bm), tilesN = ceilDiv(N, bn);
  const fold = ceilDiv(tilesM, getDispatchLimit());
  // Bounds checks only where a tile can run past the data.
  const checkK = spec.kEnd !== undefined || K % bk !== 0 || (slices > 1 && K % kSlice !== 0);
  const checkM = M % bm !== 0 || fold > 1;
  const checkN = N % bn !== 0;
  // A constant trip count where every workgroup has the same.
  const exactSlices = slices === 1 || K % kSlice === 0;
  const numTiles = spec.kEnd === undefined && exactSlices
    ? `${ceilDiv(slices > 1 ? kSlice : K, bk)}`
    : `(kEnd - kBegin + ${bk - 1}) / ${bk}`;
  const aLoad = tileLoad("A", spec.a, bm, bk, threads, "m0", checkM ? "mEnd" : "", checkK);
  const bLoad = tileLoad("B", spec.b, bk, bn, threads, "n0", checkN ? `${N}` : "", checkK);
  const key = `gemm_${spec.key}_${bm}x${bn}x${bk}_${tm}x${tn}_s${slices}_f${fold}`;
  const source = `
${spec.decls ?? ""}
${spec.a.fn}
${spec.b.fn}
${spec.store}
var<workgroup> As : array<vec4<f32>, ${(bk * bm) / 4}>;
var<workgroup> Bs : array<vec4<f32>, ${(bk * bn) / 4}>;
var<private> gz : i32;
var<private> gk0 : i32;

fn kernel() {
  gz = i32(workgroupId.z);
  ${spec.prologue ?? ""}
  let lid = i32(localIndex);
  let tx = lid % ${bn / tn};
  let ty = ${bm === tm ? "0" : `lid / ${bn / tn}`};
  let m0 = ${
    fold > 1
      ? `(i32(workgroupId.y) * ${fold} + i32(workgroupId.x) / ${tilesN})`
      : "i32(workgroupId.y)"
  } * ${bm};
  let n0 = ${fold > 1 ? `(i32(workgroupId.x) % ${tilesN})` : "i32(workgroupId.x)"} * ${bn};
  let kBegin = ${slices > 1 ? `gz * ${kSlice}` : "0"};
  let kEnd = ${kEnd};
  let mEnd = ${M};
  let numTiles = ${numTiles};
  ${declareAcc(tm, tn)}
  for (var t = 0; t < numTiles; t++) {
    let k0 = kBegin + t * ${bk};
    gk0 = k0;
    ${aLoad}
    ${bLoad}
    workgroupBarrier();
    for (var kq = 0; kq < ${bk / 4}; kq++) {
      ${innerProduct(tile, alongK(spec.a, "A"), alongK(spec.b, "B"))}
    }
    workgroupBarrier();
  }
  ${writeBack(tm, tn, N, checkM, checkN)}
}
`;
  return {
    key,
    outputShape: spec.outputShape,
    inputs: spec.inputs,
    inputComponents: spec.inputComponents,
    outputComponent: spec.outputComponent,
    workgroupSize: threads,
    dispatch: [tilesN * fold, ceilDiv(tilesM, fold), z],
    source,
    // The longest slice (or K) in bk steps; a custom kEnd stays within K.
    loopIterations: loopCost(
      ceilDiv(slices > 1 ? kSlice : K, bk),
      gemmLoopsPerStep(tile, spec.a, spec.b) - 1,
    ),
  };
}

function declareAcc(tm: number, tn: number): string {
  const lines: string[] = [];
  for (let r = 0; r < tm; r++) {
    for (let c = 0; c < tn / 4; c++) lines.push(`var acc_${r}_${c} = vec4<f32>(0.0);`);
  }
  return lines.join("\n  ");
}

/** Whether an operand's tile is stored `[outer][k/4]` (its loader reads vec4 along k). */
function alongK(loader: Loader, which: "A" | "B"): boolean {
  return loader.vec === (which === "A" ? "col" : "row");
}

/**
 * Four steps of the contraction (k = 4*kq .. 4*kq+3): TM + TN vec4 reads of workgroup memory
 * into registers (`a_r_j` = A[m_r, k_j], `b_j_c` = B[k_j, n_c]), then TM*TN FMAs as vec4s.
 */
function innerProduct(t: GemmTile, aAlongK: boolean, bAlongK: boolean): string {
  const { bm, bn, bk, tm, tn } = t;
  const lines: string[] = [];
  const a = (r: number, j: number) => aAlongK ? `av${r}[${j}]` : `av${j}_${r >> 2}[${r & 3}]`;
  if (aAlongK) {
    for (let r = 0; r < tm; r++) {
      lines.push(`let av${r} = As[(ty * ${tm} + ${r}) * ${bk / 4} + kq];`);
    }
  } else {
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < tm / 4; i++) {
        lines.push(`let av${j}_${i} = As[(kq * 4 + ${j}) * ${bm / 4} + ty * ${tm / 4} + ${i}];`);
      }
    }
  }
  // B as vec4s along n: bv{j}_{c4} = B[k_j, n_{4c4..4c4+3}].
  if (bAlongK) {
    for (let c = 0; c < tn; c++) {
      lines.push(`let bk${c} = Bs[(tx * ${tn} + ${c}) * ${bk / 4} + kq];`);
    }
    for (let j = 0; j < 4; j++) {
      for (let c4 = 0; c4 < tn / 4; c4++) {
        const comps = [0, 1, 2, 3].map((e) => `bk${4 * c4 + e}[${j}]`).join(", ");
        lines.push(`let bv${j}_${c4} = vec4<f32>(${comps});`);
      }
    }
  } else {
    for (let j = 0; j < 4; j++) {
      for (let c4 = 0; c4 < tn / 4; c4++) {
        lines.push(
          `let bv${j}_${c4} = Bs[(kq * 4 + ${j}) * ${bn / 4} + tx * ${tn / 4} + ${c4}];`,
        );
      }
    }
  }
  for (let j = 0; j < 4; j++) {
    for (let r = 0; r < tm; r++) {
      for (let c4 = 0; c4 < tn / 4; c4++) {
        lines.push(`acc_${r}_${c4} = fma(vec4<f32>(${a(r, j)}), bv${j}_${c4}, acc_${r}_${c4});`);
      }
    }
  }
  return lines.join("\n      ");
}

/**
 * Copies one tile of an operand into workgroup memory (see {@link alongK} for the layout).
 * `rows x cols` is the tile in the operand's own orientation (A: bm x bk, B: bk x bn);
 * `outerBase`/`outerLimit` are the first and the bound (empty: none needed) of the operand's
 * outer index (A: m, B: n).
 */
function tileLoad(
  which: "A" | "B",
  loader: Loader,
  rows: number,
  cols: number,
  threads: number,
  outerBase: string,
  outerLimit: string,
  checkK: boolean,
): string {
  // In the operand's orientation: A rows are m (k is its column); B rows are k.
  const isA = which === "A";
  const vecAlong = loader.vec;
  const contiguous = vecAlong !== "none" ? vecAlong : loader.contiguous ?? "col";
  const vr = vecAlong === "row" ? 4 : 1;
  const vc = vecAlong === "col" ? 4 : 1;
  const unitsR = rows / vr, unitsC = cols / vc;
  const units = unitsR * unitsC;
  const perThread = Math.ceil(units / threads);
  const fn = isA ? "loadA" : "loadB";
  const type = vecAlong === "none" ? "f32" : "vec4<f32>";
  const zero = vecAlong === "none" ? "0.0" : "vec4<f32>(0.0)";
  // One unit (a vec4 or a scalar) per thread and step; a loop rather than unrolled copies of
  // the loader (compile time on software adapters grows with the code).
  const u = "u";
  const [ur, uc] = contiguous === "row"
    ? [`(${u} % ${unitsR})`, `(${u} / ${unitsR})`]
    : [`(${u} / ${unitsC})`, `(${u} % ${unitsC})`];
  const rLocal = vr === 4 ? `${ur} * 4` : ur;
  const cLocal = vc === 4 ? `${uc} * 4` : uc;
  // The outer index (A: m, its row; B: n, its column) and k.
  const rGlobal = isA ? `${outerBase} + ${rLocal}` : `k0 + ${rLocal}`;
  const cGlobal = isA ? `k0 + ${cLocal}` : `${outerBase} + ${cLocal}`;
  const conds: string[] = [];
  if (outerLimit) conds.push(`${isA ? "r" : "c"} < ${outerLimit}`);
  if (checkK) conds.push(`${isA ? "c" : "r"} < kEnd`);
  const value = conds.length
    ? `select(${zero}, ${fn}(r, c), ${conds.join(" && ")})`
    : `${fn}(r, c)`;
  // Position in workgroup memory: `[k][outer/4]`, or `[outer][k/4]` when the loader reads
  // vec4s along k (then one vec4 store, as for vec4s along the outer index).
  const [kLocal, outerLocal] = isA ? [cLocal, rLocal] : [rLocal, cLocal];
  const mem = isA ? "As" : "Bs";
  const vecAlongK = isA ? vecAlong === "col" : vecAlong === "row";
  const vecAlongOuter = isA ? vecAlong === "row" : vecAlong === "col";
  const width = (isA ? rows : cols) / 4;
  const depth = (isA ? cols : rows) / 4;
  let store: string;
  if (vecAlongK) {
    store = `${mem}[(${outerLocal}) * ${depth} + (${kLocal}) / 4] = v;`;
  } else if (vecAlongOuter) {
    store = `${mem}[(${kLocal}) * ${width} + (${outerLocal}) / 4] = v;`;
  } else {
    store = `${mem}[(${kLocal}) * ${width} + (${outerLocal}) / 4][(${outerLocal}) % 4] = v;`;
  }
  const body = `let r = ${rGlobal}; let c = ${cGlobal}; let v : ${type} = ${value}; ${store}`;
  const guarded = units % threads !== 0 ? `if (u < ${units}) { ${body} }` : body;
  return perThread === 1
    ? `{ let u = lid; ${guarded} }`
    : `for (var u = lid; u < ${perThread * threads}; u += ${threads}) { ${guarded} }`;
}

function writeBack(tm: number, tn: number, N: number, checkM: boolean, checkN: boolean): string {
  const lines: string[] = [];
  for (let r = 0; r < tm; r++) {
    for (let c = 0; c < tn / 4; c++) {
      const m = `m0 + ty * ${tm} + ${r}`;
      const n = `n0 + tx * ${tn} + ${4 * c}`;
      const v = `acc_${r}_${c}`;
      if (N % 4 === 0) {
        const conds = [checkM ? `m < mEnd` : "", checkN ? `n < ${N}` : ""].filter(Boolean);
        const guard = conds.length ? `if (${conds.join(" && ")}) ` : "";
        lines.push(`{ let m = ${m}; let n = ${n}; ${guard}{ store4(m, n, ${v}); } }`);
      } else {
        const parts = [0, 1, 2, 3].map((j) => {
          const conds = [checkM ? `m < mEnd` : "", `n + ${j} < ${N}`].filter(Boolean);
          return `if (${conds.join(" && ")}) { store1(m, n + ${j}, ${v}[${j}]); }`;
        });
        lines.push(`{ let m = ${m}; let n = ${n}; ${parts.join(" ")} }`);
      }
    }
  }
  return lines.join("\n  ");
}
