import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { accumulateGradients } from "../../src/train/accumulate.ts";
import { disposeStepGradients, type StepGradients } from "../../src/train/step_gradients.ts";

await tf.setBackend("cpu");

function sg(step: number, g: number[], loss: number): StepGradients {
  return {
    microStep: step,
    epoch: 0,
    pairs: 2,
    microBatches: 1,
    grads: { w: tf.tensor1d(g) },
    loss: tf.scalar(loss),
    accuracy: tf.scalar(0.5),
    waitMs: 1,
    computeMs: 2,
  };
}

Deno.test("accumulateGradients: mean of every k, partial group flushed, inputs disposed", async () => {
  const before = tf.memory().numTensors;
  const out: { step: number; pairs: number; micro: number; g: number[]; loss: number }[] = [];
  const input = [
    sg(0, [1, 2], 1),
    sg(1, [3, 6], 3),
    sg(2, [5, 10], 5),
    sg(3, [7, 7], 2),
    sg(4, [9, 9], 4),
  ];
  await ReadableStream.from(input).pipeThrough(accumulateGradients(2)).pipeTo(
    new WritableStream({
      async write(s) {
        out.push({
          step: s.microStep,
          pairs: s.pairs,
          micro: s.microBatches,
          g: Array.from(await s.grads.w.data()),
          loss: (await s.loss.data())[0],
        });
        disposeStepGradients(s);
      },
    }),
  );
  assert.deepEqual(out, [
    { step: 1, pairs: 4, micro: 2, g: [2, 4], loss: 2 },
    { step: 3, pairs: 4, micro: 2, g: [6, 8.5], loss: 3.5 },
    { step: 4, pairs: 2, micro: 1, g: [9, 9], loss: 4 },
  ]);
  assert.equal(tf.memory().numTensors, before);
});
