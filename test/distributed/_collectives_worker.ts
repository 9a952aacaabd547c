/**
 * Run under `mpirun -np N`: exercises every collective and prints `OK rank size` when all
 * results are right. Args: `mismatch` makes each rank hash a different config (expects the
 * config check to fail on every rank and prints `MISMATCH rank <message>`).
 */
import assert from "node:assert/strict";
import {
  assertSameConfig,
  compareAcrossRanks,
  createCommunicator,
  FlatPacker,
} from "../../src/distributed/mod.ts";
import { rankIndices } from "../../src/streams/_epoch_split.ts";

const comm = await createCommunicator("auto");
const { rank, size } = comm;
assert.equal(comm.kind, size > 1 ? "mpi" : comm.kind);

if (Deno.args[0] === "mismatch") {
  try {
    await assertSameConfig(comm, { lr: 0.3, batch: 256, rankSpecific: rank });
    console.log(`NO_MISMATCH ${rank}`);
  } catch (err) {
    console.log(`MISMATCH ${rank} ${(err as Error).message}`);
  }
  await comm.close();
  Deno.exit(0);
}

await assertSameConfig(comm, { lr: 0.3, batch: 256, nested: { b: 1, a: [1, 2] } });
const cmp = await compareAcrossRanks(comm, { weightsOf: rank === size - 1 ? "other" : "same" });
assert.deepEqual(cmp.differ.map((d) => d.rank), size > 1 ? [size - 1] : []);

// allReduce: sum, mean, max, min; a large buffer too (in place, same object back)
const n = 1000;
const a = Float32Array.from({ length: n }, (_, i) => i + rank);
const same = await comm.allReduce(a, "sum");
assert.equal(same, a);
const rankSum = (size * (size - 1)) / 2;
for (let i = 0; i < n; i++) assert.equal(a[i], size * i + rankSum);
const m = new Float32Array([rank, 2 * rank]);
await comm.allReduce(m, "mean");
assert.deepEqual([...m], [(size - 1) / 2, size - 1]);
const mx = new Float32Array([rank, 10 - rank]);
await comm.allReduce(mx, "max");
assert.deepEqual([...mx], [size - 1, 10]);
await comm.allReduce(mx.fill(rank), "min");
assert.deepEqual([...mx], [0, 0]);
const big = new Float32Array(3_000_000).fill(rank + 1);
await comm.allReduce(big, "sum");
assert.equal(big[0], size * (size + 1) / 2);
assert.equal(big[big.length - 1], size * (size + 1) / 2);

// allGather of each element type, with and without an output buffer
for (const Ctor of [Float32Array, Float64Array, Int32Array, Uint8Array]) {
  const mine = new Ctor([rank, rank + 10, rank + 20]);
  const all = await comm.allGather(mine);
  assert.equal(all.constructor, Ctor);
  assert.deepEqual([...all], [...Array(size).keys()].flatMap((r) => [r, r + 10, r + 20]));
}
const out = new Float32Array(2 * size);
assert.equal(await comm.allGather(new Float32Array([rank, -rank]), out), out);
assert.equal(out[2 * (size - 1)], size - 1);

// broadcast from the last rank, in place
const root = size - 1;
const b = new Int32Array([rank * 7, 5]);
assert.equal(await comm.broadcast(b, root), b);
assert.deepEqual([...b], [root * 7, 5]);

await comm.barrier();

// synchronous variants (blocking the JS thread), refused while an async one is in flight
const sa = new Float32Array([rank, 1]);
assert.equal(comm.allReduceSync(sa, "mean"), sa);
assert.deepEqual([...sa], [(size - 1) / 2, 1]);
const sg = comm.allGatherSync(new Int32Array([rank * 3]));
assert.deepEqual([...sg], [...Array(size).keys()].map((r) => r * 3));
const pending = comm.barrier();
assert.throws(() => comm.allReduceSync(sa, "sum"), /still in flight/);
await pending;

// fused gradient all-reduce, as reduceStepGradients does it: write each gradient into its
// slot, one all-reduce (mean) of the flat buffer, read the means from the same slots
const packer = new FlatPacker({ "layer2/w": 2, "layer1/b": 1 });
packer.view("layer2/w").set([rank, 1]);
packer.view("layer1/b").set([2 * rank]);
await comm.allReduce(packer.buffer, "mean");
assert.deepEqual([...packer.view("layer2/w")], [(size - 1) / 2, 1]);
assert.deepEqual([...packer.view("layer1/b")], [size - 1]);

// every rank's local batch of step 2 (the blocked split), gathered, is the global batch
const perm = Uint32Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
const mine = rankIndices(perm, { rank, worldSize: size, block: 4 });
const local = Int32Array.from(mine.subarray(2 * 4, 3 * 4));
const global = await comm.allGather(local);
assert.deepEqual([...global], [...perm.subarray(2 * 4 * size, 3 * 4 * size)]);

comm.step = 3;
assert.equal(await comm.agreeToStop(), false);
console.log(`OK ${rank} ${size}`);
await comm.close();
