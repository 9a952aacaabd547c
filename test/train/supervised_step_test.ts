import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Linear } from "../../src/model/linear.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { supervisedObjective } from "../../src/train/supervised_step.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import { disposeStepGradients } from "../../src/train/step_gradients.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { initialTrainState } from "../../src/train/train_state.ts";
import { trainer } from "../../src/train/trainer.ts";
import { batches, TINY, tinyBatch } from "./_fixtures.ts";

await tf.setBackend("cpu");

Deno.test("supervisedObjective: cross-entropy of the first views, gradients of the encoder and classifier only, against plain arrays", async () => {
  const model = createModel(TINY);
  const classifier = new Linear(model.store, "classifier", model.encoder.featureDim, 3);
  const batch = { ...tinyBatch(0, 5), labels: Int32Array.of(0, 2, 1, 2, 0) };
  const n = 5, dim = model.encoder.featureDim, per = 8 * 8 * 3;
  // the features the objective sees: the first views, training-mode BN (a twin model, same seed)
  const twin = createModel(TINY);
  const h = tf.tidy(() =>
    twin.encoder.apply(tf.tensor4d(batch.views.subarray(0, n * per), [n, 8, 8, 3]), {
      training: true,
    })
  );
  const hv = await h.data();
  const wv = await classifier.weight.variable.data(), bv = await classifier.bias!.variable.data();
  let loss = 0, correct = 0;
  const gw = new Float64Array(dim * 3);
  for (let i = 0; i < n; i++) {
    const z = [0, 1, 2].map((k) => {
      let s = bv[k];
      for (let d = 0; d < dim; d++) s += hv[i * dim + d] * wv[d * 3 + k];
      return s;
    });
    const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), sum = e[0] + e[1] + e[2];
    loss += (Math.log(sum) + m - z[batch.labels[i]]) / n;
    if (z.indexOf(m) === batch.labels[i]) correct++;
    for (let k = 0; k < 3; k++) {
      const dz = (e[k] / sum - (k === batch.labels[i] ? 1 : 0)) / n;
      for (let d = 0; d < dim; d++) gw[d * 3 + k] += hv[i * dim + d] * dz;
    }
  }
  const g = supervisedObjective(classifier)(model, batch, {});
  assert.ok(Math.abs((await g.loss.data())[0] - loss) < 1e-5, "loss");
  assert.equal((await g.accuracy.data())[0], Math.fround(correct / n));
  assert.equal(g.images, n);
  const got = await g.grads["classifier.weight"].data();
  for (let i = 0; i < gw.length; i++) assert.ok(Math.abs(got[i] - gw[i]) < 1e-5, `dW[${i}]`);
  const names = Object.keys(g.grads);
  assert.ok(names.some((k) => k.startsWith("encoder.")), "the encoder is fine-tuned");
  assert.ok(!names.some((k) => k.startsWith("head.")), "the projection head is left alone");
  // a sample without a label, or with one outside the classes, is refused by name
  const unlabelled = { ...batch, labels: Int32Array.of(0, -1, 1, 2, 0) };
  assert.throws(
    () => supervisedObjective(classifier)(model, unlabelled, {}),
    /'s0-1' has no label/,
  );
  const wrong = { ...batch, labels: Int32Array.of(0, 5, 1, 2, 0) };
  assert.throws(() => supervisedObjective(classifier)(model, wrong, {}), /'s0-1' has label 5/);
  disposeStepGradients(g);
  h.dispose();
  twin.dispose();
  model.dispose();
});

Deno.test("supervisedObjective in the trainer: learns, counts one image per sample, no tensor leak between step 2 and 30", async () => {
  const model = createModel(TINY);
  const classifier = new Linear(model.store, "classifier", model.encoder.featureDim, 2, true, {
    kind: "constant",
    value: 0,
  });
  // class 1 is brighter: separable
  const labelled = (s: number) => {
    const b = tinyBatch(s, 6);
    const per = 8 * 8 * 3, labels = Int32Array.from({ length: 6 }, (_, i) => (i + s) % 2);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < per; j++) b.views[i * per + j] += 2 * labels[i];
    }
    return { ...b, labels };
  };
  const optimizer = new MomentumSgd({ nesterov: true });
  const state = initialTrainState();
  const counts = new Map<number, number>();
  const seen: StepMetrics[] = [];
  await batches(0, 30, labelled).pipeTo(trainer({
    model,
    optimizer,
    state,
    objective: supervisedObjective(classifier),
    learningRate: () => 0.05,
    logEvery: 1,
    onMetrics: (m) => {
      seen.push(m);
      counts.set(m.step, tf.memory().numTensors);
    },
  }));
  assert.equal(counts.get(2), counts.get(30), `tensors: ${counts.get(2)} vs ${counts.get(30)}`);
  assert.equal(state.images, 30 * 6, "one image per labelled sample");
  assert.equal(seen[0].loss.toFixed(5), Math.log(2).toFixed(5)); // zero-init head
  const mean = (ms: StepMetrics[]) => ms.reduce((s, m) => s + m.loss, 0) / ms.length;
  assert.ok(mean(seen.slice(-5)) < 0.5 * mean(seen.slice(0, 5)), "the loss halves at least");
  optimizer.dispose();
  model.dispose();
});
