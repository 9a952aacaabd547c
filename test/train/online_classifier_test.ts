/**
 * The online linear classifier: its gradients against plain arrays, no gradient into the
 * encoder and no label into NT-Xent (bit for bit), learning, no tensor leak, exact resume, and
 * the counts through accumulation.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { createModel } from "../../src/model/simclr_model.ts";
import { accumulateGradients } from "../../src/train/accumulate.ts";
import type { Batch } from "../../src/train/batch.ts";
import { loadCheckpoint, restoreCheckpoint } from "../../src/train/checkpoint.ts";
import { computeStepGradients } from "../../src/train/_step_objective.ts";
import { Lars } from "../../src/train/lars.ts";
import { OnlineClassifier } from "../../src/train/online_classifier.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import { disposeStepGradients, type StepGradients } from "../../src/train/step_gradients.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { trainer } from "../../src/train/trainer.ts";
import { Rng } from "../../src/streams/rng.ts";
import { batches, TINY, tinyBatch } from "./_fixtures.ts";

await tf.setBackend("cpu");

const FEATURES = 8; // TINY's small net: last stage width 8
const CLASSES = 3;

/** `tinyBatch` with labels: class c brightens the image by c, so the classes are separable. */
function labelled(step: number, pairs = 6, labels?: number[]): Batch {
  const b = tinyBatch(step, pairs);
  const per = b.height * b.width * b.channels;
  const ys = Int32Array.from(labels ?? Array.from({ length: pairs }, (_, i) => (i + step) % 3));
  for (let i = 0; i < pairs; i++) {
    for (const v of [i, pairs + i]) {
      for (let j = 0; j < per; j++) b.views[v * per + j] += 1.5 * Math.max(ys[i], 0);
    }
  }
  return { ...b, labels: ys };
}

function online(lr = 0.1) {
  return new OnlineClassifier({
    featureDim: FEATURES,
    numClasses: CLASSES,
    learningRate: () => lr,
    weightDecay: 1e-4,
  });
}

async function values(t: tf.Tensor): Promise<Float32Array> {
  return await t.data() as Float32Array;
}

Deno.test("online classifier: gradients and counts match plain-array softmax regression over the labelled rows", async () => {
  const head = online();
  const [w, b] = head.store.trainable();
  const wv = new Float32Array(FEATURES * CLASSES);
  Rng.fromSeed(5, "w").fillNormal(wv, 0.5);
  w.variable.assign(tf.tensor2d(wv, [FEATURES, CLASSES]));
  b.variable.assign(tf.tensor1d([0.1, -0.2, 0.3]));
  // 2N = 8 rows of features; the first N = 4 are the first views, one of them unlabelled
  const hv = new Float32Array(8 * FEATURES);
  Rng.fromSeed(6, "h").fillNormal(hv);
  const h = tf.tensor2d(hv, [8, FEATURES]);
  const labels = Int32Array.of(2, -1, 0, 1);
  const { grads, counts } = head.gradients(h, { size: 4, labels, keys: ["a", "b", "c", "d"] });

  const gw = new Float64Array(FEATURES * CLASSES), gb = new Float64Array(CLASSES);
  let lossSum = 0, correct = 0;
  for (let i = 0; i < 4; i++) {
    if (labels[i] < 0) continue;
    const z = [0, 1, 2].map((k) => {
      let s = [0.1, -0.2, 0.3][k];
      for (let d = 0; d < FEATURES; d++) s += hv[i * FEATURES + d] * wv[d * CLASSES + k];
      return s;
    });
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, c) => a + c, 0);
    lossSum += -(z[labels[i]] - max - Math.log(sum));
    if (z.indexOf(max) === labels[i]) correct++;
    for (let k = 0; k < CLASSES; k++) {
      const d = e[k] / sum - (k === labels[i] ? 1 : 0);
      gb[k] += d / 3;
      for (let j = 0; j < FEATURES; j++) gw[j * CLASSES + k] += hv[i * FEATURES + j] * d / 3;
    }
  }
  const c = await values(counts);
  assert.ok(Math.abs(c[0] - lossSum) < 1e-5 * lossSum, `${c[0]} vs ${lossSum}`);
  assert.deepEqual([c[1], c[2]], [correct, 3]);
  const got = await values(grads["online.weight"]);
  for (let i = 0; i < gw.length; i++) assert.ok(Math.abs(got[i] - gw[i]) < 1e-5, `dW[${i}]`);
  const gotB = await values(grads["online.bias"]);
  for (let k = 0; k < CLASSES; k++) assert.ok(Math.abs(gotB[k] - gb[k]) < 1e-6, `db[${k}]`);
  // a label outside the classes is refused, naming the sample
  assert.throws(
    () => head.gradients(h, { size: 4, labels: Int32Array.of(0, 3, 0, 0), keys: ["a", "b"] }),
    (e: Error) =>
      e instanceof RangeError && /sample 'b' has label 3, outside 0\.\.2/.test(e.message),
  );
  tf.dispose([h, counts, ...Object.values(grads)]);
  head.dispose();
});

Deno.test("online classifier: the encoder's gradients, loss and accuracy are the same bits with or without it, whatever the labels", async () => {
  const runs: StepGradients[] = [];
  const variants: [OnlineClassifier | undefined, number[] | undefined][] = [
    [undefined, undefined],
    [online(), undefined],
    [online(), [2, 2, 2, 2, 2, 2]], // other labels: NT-Xent never sees them
    [online(), [-1, -1, -1, -1, -1, -1]],
  ];
  for (const [head, ys] of variants) {
    const model = createModel(TINY); // same seed: same start
    const b = labelled(0, 6);
    const g = computeStepGradients(model, ys ? { ...b, labels: Int32Array.from(ys) } : b, {
      temperature: 0.3,
      online: head,
    });
    runs.push({ ...g, waitMs: 0, computeMs: 0 });
    model.dispose();
    head?.dispose();
  }
  const [plain, ...withHead] = runs;
  const names = Object.keys(plain.grads);
  for (const g of withHead) {
    assert.deepEqual(
      Object.keys(g.grads).filter((n) => !n.startsWith("online.")).sort(),
      [...names].sort(),
    );
    assert.deepEqual(await values(g.loss), await values(plain.loss));
    assert.deepEqual(await values(g.accuracy), await values(plain.accuracy));
    for (const n of names) {
      assert.deepEqual(await values(g.grads[n]), await values(plain.grads[n]), n);
    }
    assert.ok(g.online && g.grads["online.weight"], "the head's gradients and counts ride along");
  }
  // the head's own gradients do depend on the labels; unlabelled rows give none
  const [a, b, none] = withHead;
  assert.notDeepEqual(
    await values(a.grads["online.weight"]),
    await values(b.grads["online.weight"]),
  );
  assert.deepEqual(Array.from(await values(none.online!)), [0, 0, 0]);
  assert.ok((await values(none.grads["online.weight"])).every((v) => v === 0));
  runs.forEach(disposeStepGradients);
});

Deno.test("online classifier in the trainer: learns the labels, metrics, no tensor leak between step 2 and 40", async () => {
  const model = createModel(TINY);
  const optimizer = new MomentumSgd();
  const head = online(0.05);
  const counts = new Map<number, number>();
  const seen: StepMetrics[] = [];
  await batches(0, 40, (s) => labelled(s)).pipeTo(trainer({
    model,
    optimizer,
    online: head,
    learningRate: () => 0.01,
    logEvery: 1,
    onMetrics: (m) => {
      seen.push(m);
      counts.set(m.step, tf.memory().numTensors);
    },
  }));
  assert.equal(counts.get(2), counts.get(40), `tensors: ${counts.get(2)} vs ${counts.get(40)}`);
  assert.ok(seen.every((m) => m.onlineTop1! >= 0 && m.onlineTop1! <= 1 && m.onlineLoss! > 0));
  assert.equal(seen[0].onlineLoss!.toFixed(5), Math.log(CLASSES).toFixed(5)); // zero init
  const top1 = (ms: StepMetrics[]) => ms.reduce((s, m) => s + m.onlineTop1!, 0) / ms.length;
  const [early, late] = [top1(seen.slice(0, 5)), top1(seen.slice(-5))];
  assert.ok(late > 0.6 && late > early, `online top-1: first 5 steps ${early}, last 5 ${late}`);
  assert.equal((head.optimizer.state()).iterations, 40);
  head.dispose();
  optimizer.dispose();
  model.dispose();
});

Deno.test("online classifier: k steps == j steps, checkpoint, restore, k - j steps (weights, slots, metrics)", async () => {
  const k = 6, j = 4;
  const dir = await Deno.makeTempDir();
  const run = async (from: number, to: number, restore?: string, save?: string) => {
    const model = createModel(TINY);
    const optimizer = new Lars();
    const head = new OnlineClassifier({
      featureDim: FEATURES,
      numClasses: CLASSES,
      learningRate: (s) => 0.1 / (1 + s),
      optimizer: "lars",
      weightDecay: 1e-3,
    });
    const state = restore
      ? restoreCheckpoint(await loadCheckpoint(restore), model, optimizer, head)
      : undefined;
    const metrics: StepMetrics[] = [];
    await batches(from, to, (s) => labelled(s)).pipeTo(trainer({
      model,
      optimizer,
      online: head,
      state,
      learningRate: () => 0.05,
      logEvery: 1,
      onMetrics: (m) => void metrics.push(m),
      checkpoint: save ? { path: save } : undefined,
    }));
    const weights = await Promise.all(head.store.all().map((p) => values(p.variable)));
    const slots = await Promise.all(
      Object.values(head.optimizer.state().slots).map((t) => values(t)),
    );
    head.dispose();
    optimizer.dispose();
    model.dispose();
    return { metrics, weights, slots };
  };
  const whole = await run(0, k);
  const first = await run(0, j, undefined, `${dir}/c.ckpt`);
  const ck = await loadCheckpoint(`${dir}/c.ckpt`);
  assert.deepEqual(ck.meta.online, {
    featureDim: FEATURES,
    numClasses: CLASSES,
    optimizer: { kind: "lars", iterations: j },
  });
  const rest = await run(j, k, `${dir}/c.ckpt`);
  assert.deepEqual(
    [...first.metrics, ...rest.metrics].map((m) => [m.step, m.onlineLoss, m.onlineTop1]),
    whole.metrics.map((m) => [m.step, m.onlineLoss, m.onlineTop1]),
  );
  assert.deepEqual(rest.weights, whole.weights);
  assert.deepEqual(rest.slots, whole.slots);
  assert.ok(whole.weights[0].some((v) => v !== 0), "the head trained");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("online classifier: accumulation keeps the counts' ratios (loss and top-1 over all labelled rows)", async () => {
  const head = online();
  const model = createModel(TINY);
  // 5 labelled rows, then 1: a mean of the two batches' top-1 would weigh them equally
  const parts = [labelled(0, 6, [0, 1, 2, 0, 1, -1]), labelled(1, 6, [-1, -1, 2, -1, -1, -1])];
  const gs = parts.map((b) => ({
    ...computeStepGradients(model, b, { online: head }),
    waitMs: 0,
    computeMs: 0,
  }));
  const c = await Promise.all(gs.map((g) => values(g.online!)));
  const acc = accumulateGradients(2);
  const w = acc.writable.getWriter(), r = acc.readable.getReader();
  const [, , out] = await Promise.all([w.write(gs[0]), w.write(gs[1]), r.read()]);
  const merged = await values(out.value!.online!);
  const top1 = (c[0][1] + c[1][1]) / (c[0][2] + c[1][2]);
  assert.ok(Math.abs(merged[1] / merged[2] - top1) < 1e-6, `${merged[1] / merged[2]} vs ${top1}`);
  assert.equal(merged[2], (5 + 1) / 2);
  disposeStepGradients(out.value!);
  head.dispose();
  model.dispose();
});
