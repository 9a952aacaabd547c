/**
 * The loop budget of the project's WebGPU programs (src/backend/webgpu/program.ts, gemm.ts):
 * Mesa's llvmpipe ends a shader invocation's loops after 65535 iterations in all, silently, so
 * `run` refuses a program that declares more than the limit, and a GEMM's loop count per
 * contraction step counts each loop as its iterations plus one (as llvmpipe's limiter does:
 * measured with nested loops, see the note in gemm.ts). No adapter needed.
 */
import assert from "node:assert/strict";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { loopCost, run } from "../../src/backend/webgpu/program.ts";
import { gemmLoopsPerStep, gemmMaxK } from "../../src/backend/webgpu/gemm.ts";
import { getLoopLimit, setLoopLimit } from "../../src/backend/webgpu/tuning.ts";

const spec = (loopIterations: number) => ({
  key: "loops",
  outputShape: [4],
  inputs: [],
  workgroupSize: 8,
  dispatch: [1, 1, 1] as [number, number, number],
  source: "fn kernel() {}",
  loopIterations,
});

Deno.test("webgpu run refuses a program that would loop past the loop limit", () => {
  assert.equal(getLoopLimit(), 65000);
  assert.throws(
    () => run({} as WebGPUBackend, spec(65001), []),
    (e: Error) => e instanceof RangeError && /65001 loop iterations.*65535/.test(e.message),
  );
  setLoopLimit(100);
  try {
    assert.throws(() => run({} as WebGPUBackend, spec(101), []), RangeError);
  } finally {
    setLoopLimit(65000);
  }
  assert.throws(() => setLoopLimit(70000), RangeError);
  assert.throws(() => setLoopLimit(10), RangeError);
});

Deno.test("webgpu loop cost: each loop its iterations plus one, nested loops per iteration", () => {
  assert.equal(loopCost(0), 1);
  assert.equal(loopCost(8), 9);
  assert.equal(loopCost(3, loopCost(10)), 3 * 12 + 1);
  // Measured on llvmpipe: a loop of 1000 iterations around one of 64 stopped in its 993rd
  // iteration (63551 inner iterations done), where the count passes 65535.
  assert.ok(loopCost(992, loopCost(64)) <= 65535 && loopCost(993, loopCost(64)) > 65535);
});

Deno.test("webgpu GEMM loop count per step: each loop its iterations plus one", () => {
  const vec = { fn: "", vec: "col" as const };
  const scalar = { fn: "", vec: "none" as const };
  // 64x32 tile, 16 threads, k-steps of 32: the step, 8 inner + 1, A copy 64*32/4/16 = 32 + 1,
  // B copy 32*32/4/16 = 16 + 1.
  const staged = { bm: 64, bn: 32, bk: 32, tm: 16, tn: 8 };
  assert.equal(gemmLoopsPerStep(staged, vec, vec), 1 + 9 + 33 + 17);
  // Scalar A: 64*32/16 = 128 + 1.
  assert.equal(gemmLoopsPerStep(staged, scalar, vec), 1 + 9 + 129 + 17);
  // One copy unit per thread: no copy loop.
  assert.equal(gemmLoopsPerStep({ bm: 16, bn: 16, bk: 4, tm: 4, tn: 4 }, vec, vec), 1 + 2);
  // The longest K within the limit: whole steps of 32, one iteration left for the exit.
  assert.equal(gemmMaxK(staged, vec, vec), Math.floor(64999 / 60) * 32);
});
