/**
 * The data-parallel hooks and stages in one process: with a stand-in communicator of 2 ranks
 * whose other rank holds the same batch (a mirror), the gathered NT-Xent, global BN and the
 * fused gradient all-reduce must give exactly what one process computes on that batch taken
 * twice. (The real thing, over MPI, is test/distributed/equivalence_test.ts.)
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import type { CommBuffer, Communicator, ReduceOp } from "../../src/distributed/communicator.ts";
import { SingleCommunicator } from "../../src/distributed/single.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import type { Batch } from "../../src/train/batch.ts";
import {
  allReduceGradientsStage,
  assertSyncBackend,
  distTrainingHooks,
  reduceStepGradients,
  weightsHash,
} from "../../src/train/dist_hooks.ts";
import { computeStepGradients } from "../../src/train/_step_objective.ts";
import { OnlineClassifier } from "../../src/train/online_classifier.ts";
import { disposeStepGradients, type StepGradients } from "../../src/train/step_gradients.ts";
import { TINY, tinyBatch } from "./_fixtures.ts";

await tf.setBackend("cpu");

/**
 * Rank 0 of 2, where rank 1 always holds the same batch as this rank. Rank 1's gradient of the
 * gathered candidates is this rank's with the two halves swapped (its own block comes second).
 */
function mirror(): Communicator & { calls: string[] } {
  const calls: string[] = [];
  let gathered = -1;
  const twice = <T extends CommBuffer>(data: T): T => {
    gathered = 2 * data.length;
    const out = new (data.constructor as new (n: number) => T)(2 * data.length);
    out.set(data as never, 0);
    out.set(data as never, data.length);
    return out;
  };
  const reduce = (data: Float32Array, op: ReduceOp) => {
    calls.push(`allReduce ${op} ${data.length}`);
    if (op !== "sum") return data;
    const half = data.length / 2;
    const other = data.length === gathered
      ? Float32Array.from(data, (_, i) => data[(i + half) % data.length])
      : data.slice();
    for (let i = 0; i < data.length; i++) data[i] += other[i];
    return data;
  };
  return {
    kind: "single",
    rank: 0,
    size: 2,
    step: 0,
    stopRequested: false,
    calls,
    allReduceSync: reduce,
    allGatherSync: <T extends CommBuffer>(data: T) => {
      calls.push(`allGather ${data.length}`);
      return twice(data);
    },
    allReduce: (data: Float32Array, op: ReduceOp) => Promise.resolve(reduce(data, op)),
    allGather: <T extends CommBuffer>(data: T) => Promise.resolve(twice(data)),
    broadcast: <T extends CommBuffer>(data: T) => Promise.resolve(data),
    barrier: () => Promise.resolve(),
    agreeToStop: () => Promise.resolve(false),
    abort: (e: unknown) => Promise.reject(e),
    close: () => Promise.resolve(),
  };
}

/** The batch taken twice, as one process would hold the 2-rank global batch. */
function doubled(b: Batch): Batch {
  const per = b.height * b.width * b.channels, n = b.size;
  const views = new Float32Array(4 * n * per);
  const first = b.views.subarray(0, n * per), second = b.views.subarray(n * per);
  views.set(first, 0);
  views.set(first, n * per);
  views.set(second, 2 * n * per);
  views.set(second, 3 * n * per);
  return { ...b, size: 2 * n, views, keys: [...b.keys, ...b.keys] };
}

function maxRel(a: Float32Array | Int32Array | Uint8Array, b: typeof a): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

Deno.test("dist hooks: 2 mirrored ranks give the loss and gradients of the doubled batch", () => {
  const batch = tinyBatch(3, 4);
  const ref = createModel(TINY), dist = createModel(TINY);
  const want = computeStepGradients(ref, doubled(batch));
  const comm = mirror();
  const local = computeStepGradients(dist, batch, { hooks: distTrainingHooks(comm) });
  const got = reduceStepGradients(comm, { ...local, waitMs: 0, computeMs: 0 });
  // one fused all-reduce of every gradient plus loss and accuracy, after the BN/gather traffic
  const last = comm.calls.at(-1)!;
  const floats = Object.values(want.grads).reduce((s, t) => s + t.size, 0) + 2;
  assert.equal(last, `allReduce mean ${floats}`);
  assert.equal(comm.calls.filter((c) => c.startsWith("allReduce mean")).length, 1);
  assert.ok(comm.calls.some((c) => c.startsWith("allGather")));
  assert.equal(got.pairs, 8);
  const lossErr = Math.abs(got.loss.dataSync()[0] - want.loss.dataSync()[0]);
  assert.ok(lossErr < 1e-5, `loss differs by ${lossErr}`);
  assert.equal(got.accuracy.dataSync()[0], want.accuracy.dataSync()[0]);
  for (const [name, g] of Object.entries(want.grads)) {
    const e = maxRel(got.grads[name].dataSync(), g.dataSync());
    assert.ok(e < 1e-4, `${name}: gradient relative error ${e}`);
  }
  // global BN: the running statistics are those of the doubled batch
  for (const p of ref.store.all().filter((p) => p.name.endsWith("running_var"))) {
    const e = maxRel(dist.store.get(p.name).variable.dataSync(), p.variable.dataSync());
    assert.ok(e < 1e-5, `${p.name}: ${e}`);
  }
  // the local tensors were consumed
  assert.equal(local.loss.isDisposed, true);
  tf.dispose([got.loss, got.accuracy, want.loss, want.accuracy]);
  tf.dispose([...Object.values(got.grads), ...Object.values(want.grads)]);
  ref.dispose();
  dist.dispose();
});

Deno.test("dist hooks: the online classifier's gradients and counts ride in the same one all-reduce", async () => {
  const labels = Int32Array.of(0, 1, 2, 1);
  const batch = { ...tinyBatch(2, 4), labels };
  const head = () => {
    const h = new OnlineClassifier({ featureDim: 8, numClasses: 3, learningRate: () => 0.1 });
    const [w] = h.store.trainable();
    const v = tf.tidy(() => tf.mul(tf.range(0, 24).reshape([8, 3]), 0.01));
    w.variable.assign(v);
    v.dispose();
    return h;
  };
  const [ref, dist] = [createModel(TINY), createModel(TINY)];
  const [refHead, distHead] = [head(), head()];
  const big = doubled(batch);
  const want = computeStepGradients(ref, { ...big, labels: Int32Array.of(...labels, ...labels) }, {
    online: refHead,
  });
  const comm = mirror();
  const local = computeStepGradients(dist, batch, {
    hooks: distTrainingHooks(comm),
    online: distHead,
  });
  const got = reduceStepGradients(comm, { ...local, waitMs: 0, computeMs: 0 });
  const floats = Object.values(want.grads).reduce((s, t) => s + t.size, 0) + 2 + 3;
  assert.equal(comm.calls.at(-1), `allReduce mean ${floats}`);
  assert.equal(comm.calls.filter((c) => c.startsWith("allReduce mean")).length, 1);
  for (const name of ["online.weight", "online.bias"]) {
    const e = maxRel(await got.grads[name].data(), await want.grads[name].data());
    assert.ok(e < 1e-4, `${name}: relative error ${e}`);
  }
  const [g, w] = [await got.online!.data(), await want.online!.data()];
  assert.ok(Math.abs(g[0] / g[2] - w[0] / w[2]) < 1e-5, `loss ${g[0] / g[2]} vs ${w[0] / w[2]}`);
  assert.equal(g[1] / g[2], w[1] / w[2]);
  disposeStepGradients(got);
  disposeStepGradients(want);
  for (const x of [ref, dist, refHead, distHead]) x.dispose();
});

Deno.test("dist hooks: one rank needs no hooks, and the stage passes gradients through", async () => {
  const comm = new SingleCommunicator({ listenForStop: false });
  assert.equal(distTrainingHooks(comm), undefined);
  const g: StepGradients = {
    microStep: 0,
    epoch: 0,
    pairs: 4,
    microBatches: 1,
    grads: { w: tf.ones([2]) },
    loss: tf.scalar(1),
    accuracy: tf.scalar(0.5),
    waitMs: 0,
    computeMs: 0,
  };
  const stage = allReduceGradientsStage(comm);
  const w = stage.writable.getWriter();
  const r = stage.readable.getReader();
  const [, out] = await Promise.all([w.write(g), r.read()]);
  assert.equal(out.value, g);
  tf.dispose([g.grads.w, g.loss, g.accuracy]);
  await comm.close();
});

Deno.test("dist hooks: weights hash follows the values; webgpu is refused for several ranks", async () => {
  const a = createModel(TINY), b = createModel(TINY);
  assert.equal(await weightsHash(a.store.all()), await weightsHash(b.store.all()));
  const p = b.store.trainable()[0];
  p.variable.assign(tf.add(p.variable, 1e-6));
  assert.notEqual(await weightsHash(a.store.all()), await weightsHash(b.store.all()));
  a.dispose();
  b.dispose();
  assertSyncBackend(2); // cpu: fine
});
