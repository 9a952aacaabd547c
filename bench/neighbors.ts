/**
 * `deno task bench neighbors`: exact cosine search time over an `N x D` float32 matrix
 * (default 100000 x 512, random normal rows), one thread:
 *
 * - `cosineNeighbors` (plain TypeScript, double accumulation) reading the `.npy` file in blocks
 *   (the `deno task neighbors` path; the file is in the page cache after the first round);
 * - the same over the matrix already in memory;
 * - TensorFlow.js on the wasm backend (XNNPACK matMul of each block with the query, then top-k
 *   in TypeScript), as the alternative considered.
 *
 * One query and a batch of 16 queries. Each figure is the best of `--rounds N` (default 3), the
 * cases interleaved within a round, as wall time and as this process's CPU time (user + system:
 * on a shared machine the CPU time is the steadier figure). Options: `--rows N`, `--cols D`,
 * `--k K`.
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { startBackend } from "../src/backend/start.ts";
import { cosineNeighbors } from "../src/search/cosine.ts";
import { NpyMatrix, NpyWriter } from "../src/search/npy.ts";
import { TopK } from "../src/search/_top_k.ts";

const args = Deno.args.slice(Deno.args[0] === "neighbors" ? 1 : 0);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = opt("rows", 100_000), D = opt("cols", 512), K = opt("k", 10), ROUNDS = opt("rounds", 3);
const BLOCK = 4096;

// Random normal rows (Box-Muller from a small LCG: fast and reproducible).
let seed = 12345;
const uniform = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const data = new Float32Array(N * D);
for (let i = 0; i < data.length; i++) data[i] = normal();
const queries = data.slice(0, 16 * D).map((v) => v + 0.1 * normal());

const dir = await Deno.makeTempDir({ prefix: "bench-neighbors-" });
const path = `${dir}/m.npy`;
const w = await NpyWriter.create(path, D);
for (let s = 0; s < N; s += BLOCK) await w.append(data.subarray(s * D, Math.min(N, s + BLOCK) * D));
await w.close();
console.error(`matrix ${N} x ${D} (${((N * D * 4) / 2 ** 20).toFixed(0)} MiB), k=${K}`);

function* memoryBlocks() {
  for (let s = 0; s < N; s += BLOCK) {
    yield { start: s, values: data.subarray(s * D, Math.min(N, s + BLOCK) * D) };
  }
}

await startBackend("wasm");
async function tfjsSearch(q: Float32Array): Promise<number[]> {
  const m = q.length / D;
  const tops = Array.from({ length: m }, () => new TopK(K));
  const qn = tf.tidy(() => {
    const t = tf.tensor2d(q, [m, D]);
    return tf.transpose(tf.div(t, tf.norm(t, 2, 1, true)));
  }); // [D, m]
  for (const { start, values } of memoryBlocks()) {
    const rows = values.length / D;
    const sims = tf.tidy(() => {
      const x = tf.tensor2d(values, [rows, D]);
      const inv = tf.rsqrt(tf.sum(tf.square(x), 1, true));
      return tf.mul(tf.matMul(x, qn), inv);
    });
    const s = await sims.data();
    sims.dispose();
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) tops[j].offer(s[r * m + j], start + r);
    }
  }
  qn.dispose();
  return tops.map((t) => t.sorted()[0].id);
}

const best = new Map<string, { wall: number; cpu: number }>();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let t = 0, c0 = 0;
const begin = () => {
  t = performance.now();
  c0 = cpuMs();
};
const record = (name: string) => {
  const wall = performance.now() - t, cpu = cpuMs() - c0;
  const b = best.get(name) ?? { wall: Infinity, cpu: Infinity };
  best.set(name, { wall: Math.min(b.wall, wall), cpu: Math.min(b.cpu, cpu) });
};
for (let round = 0; round < ROUNDS; round++) {
  for (const m of [1, 16]) {
    const q = queries.subarray(0, m * D);
    const what = `${m} quer${m === 1 ? "y" : "ies"}`;
    begin();
    const file = await NpyMatrix.open(path);
    const a = await cosineNeighbors(file.blocks(BLOCK), D, q, { k: K });
    file.close();
    record(`plain TS, from the .npy file, ${what}`);
    begin();
    const b = await cosineNeighbors(memoryBlocks(), D, q, { k: K });
    record(`plain TS, in memory, ${what}`);
    begin();
    const c = await tfjsSearch(q);
    record(`tfjs wasm matMul, in memory, ${what}`);
    if (a[0][0].id !== b[0][0].id || c[0] !== a[0][0].id) throw new Error("the methods disagree");
  }
}
for (const [name, { wall, cpu }] of best) {
  console.log(`${name}: ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU`);
}
await Deno.remove(dir, { recursive: true });
