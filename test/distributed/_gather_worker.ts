/**
 * Run under `mpirun -np N` (part 2's seam, checked ahead of the integration): NT-Xent over
 * the global batch with projections all-gathered SYNCHRONOUSLY inside the loss (the
 * `NtXentOptions.gather` hook) and a backward that sums the candidates' gradient over ranks
 * (`allReduceSync`), so each rank's gradient to its local projections is exact. Compares with
 * one process computing the full batch; prints `GATHER_OK rank lossErr gradErr`. Then the
 * same for global batch norm through the model's `BatchNormHooks` (`GLOBAL_BN_OK rank err`).
 */
import * as tf from "@tensorflow/tfjs";
import { createCommunicator } from "../../src/distributed/mod.ts";
import { batchNormTraining } from "../../src/model/batch_norm.ts";
import type { BatchNormHooks } from "../../src/model/forward_context.ts";
import { ntXentLoss } from "../../src/train/nt_xent.ts";

await tf.setBackend("cpu");
const comm = await createCommunicator("auto");
const { rank, size } = comm;
const localPairs = 3, d = 8, tau = 0.5;
const n = localPairs * size;
const rnd = (i: number) => Math.sin(i * 12.9898 + 78.233) * 0.5;
const z1 = tf.tensor2d(Float32Array.from({ length: n * d }, (_, i) => rnd(i)), [n, d]);
const z2 = tf.tensor2d(Float32Array.from({ length: n * d }, (_, i) => rnd(i + 1e4)), [n, d]);

// reference: one process, the whole batch
const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
  ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, tau).loss
);
const [refG1, refG2] = ref([z1, z2]);
const refLoss = ntXentLoss(z1, z2, tau).loss.dataSync()[0];

// distributed: this rank's slice, candidates gathered inside the loss
const l1 = z1.slice([rank * localPairs, 0], [localPairs, d]);
const l2 = z2.slice([rank * localPairs, 0], [localPairs, d]);
const gatherAll = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = inputs[0] as tf.Tensor;
  const local = x.dataSync() as Float32Array;
  const all = comm.allGatherSync(local);
  const rows = x.shape[0];
  return {
    value: tf.tensor2d(all, [rows * size, d]),
    gradFunc: (dy: tf.Tensor) => {
      const summed = comm.allReduceSync(dy.dataSync().slice() as Float32Array, "sum");
      return tf.tensor2d(summed.subarray(rank * rows * d, (rank + 1) * rows * d), [rows, d]);
    },
  };
});
const gather = (zn: tf.Tensor2D) => ({
  candidates: gatherAll(zn) as tf.Tensor2D,
  offset: rank * 2 * localPairs,
});
let localLoss = 0;
const dist = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
  const loss = ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, tau, { gather }).loss;
  return loss;
});
const [g1, g2] = dist([l1, l2]);
localLoss = ntXentLoss(l1, l2, tau, { gather }).loss.dataSync()[0];
// global loss = mean of rank losses; gradients of it = (1/size) x what each rank holds
const lossSum = comm.allReduceSync(new Float32Array([localLoss]), "mean")[0];
const relErr = (a: Float32Array, b: Float32Array) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
};
const mine = new Float32Array([...g1.dataSync(), ...g2.dataSync()].map((v) => v / size));
const want = new Float32Array([
  ...refG1.slice([rank * localPairs, 0], [localPairs, d]).dataSync(),
  ...refG2.slice([rank * localPairs, 0], [localPairs, d]).dataSync(),
]);
const lossErr = Math.abs(lossSum - refLoss) / Math.abs(refLoss);
console.log(`GATHER_OK ${rank} ${lossErr.toExponential(2)} ${relErr(mine, want).toExponential(2)}`);

// global batch norm through the model's hooks: the local slice with hooks vs the full batch
const hooks: BatchNormHooks = {
  allReduceSum: (sums) =>
    tf.tensor2d(comm.allReduceSync(sums.dataSync().slice() as Float32Array, "sum"), [
      sums.shape[0],
      sums.shape[1],
    ]),
  globalCount: (localCount) => localCount * size,
};
const c = 4, per = 2;
const xs = tf.tensor4d(
  Float32Array.from({ length: per * size * 3 * 3 * c }, (_, i) => rnd(i + 3e4) * 3 + (i % c)),
  [per * size, 3, 3, c],
);
const w = tf.tensor4d(
  Float32Array.from({ length: xs.size }, (_, i) => rnd(i + 5e4)),
  xs.shape as [number, number, number, number],
);
const gamma = tf.tensor1d([1.5, 0.5, 1, 2]), beta = tf.tensor1d([0, 0.1, -0.2, 0.3]);
const bnLoss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, wt: tf.Tensor, h?: BatchNormHooks) => {
  const r = batchNormTraining(x, g, b, 1e-5, true, h);
  r.mean.dispose();
  r.variance.dispose();
  return tf.sum(tf.mul(r.y, wt)) as tf.Scalar;
};
const [rx, rg, rb] = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => bnLoss(x, g, b, w))([
  xs,
  gamma,
  beta,
]);
const lx = xs.slice([rank * per, 0, 0, 0], [per, 3, 3, c]);
const lw = w.slice([rank * per, 0, 0, 0], [per, 3, 3, c]);
const [dx, dg, db] = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
  bnLoss(x, g, b, lw, hooks)
)([lx, gamma, beta]);
const dgSum = comm.allReduceSync(
  new Float32Array([...dg.dataSync(), ...db.dataSync()]),
  "sum",
);
const bnErr = Math.max(
  relErr(
    dx.dataSync() as Float32Array,
    rx.slice([rank * per, 0, 0, 0], [per, 3, 3, c]).dataSync() as Float32Array,
  ),
  relErr(dgSum, new Float32Array([...rg.dataSync(), ...rb.dataSync()])),
);
console.log(`GLOBAL_BN_OK ${rank} ${bnErr.toExponential(2)}`);
await comm.close();
