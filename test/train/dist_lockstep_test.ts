/** Lockstep: waiting for the optimizer to apply a step, and failing instead of hanging. */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Lockstep } from "../../src/train/dist_lockstep.ts";
import type { StepGradients } from "../../src/train/step_gradients.ts";
import { initialTrainState } from "../../src/train/train_state.ts";

await tf.setBackend("cpu");

const grads = (step: number): StepGradients => ({
  step,
  epoch: 0,
  pairs: 1,
  microBatches: 1,
  grads: {},
  loss: tf.scalar(1),
  accuracy: tf.scalar(1),
  waitMs: 0,
  computeMs: 0,
});

Deno.test("lockstep: resolves once the sink has applied the step", async () => {
  const lock = new Lockstep();
  const state = initialTrainState();
  const stage = lock.stage();
  const done = stage.readable.pipeTo(
    new WritableStream<StepGradients>({
      async write(g) {
        await new Promise((r) => setTimeout(r, 20));
        state.batchStep = g.step;
        tf.dispose([g.loss, g.accuracy]);
      },
    }),
  );
  const w = stage.writable.getWriter();
  await w.write(grads(0));
  assert.equal(state.batchStep, -1);
  await lock.applied(state, 0);
  assert.equal(state.batchStep, 0);
  await w.close();
  await done;
});

Deno.test("lockstep: a failing optimizer or an earlier stage rejects the wait", async () => {
  for (const where of ["sink", "upstream"] as const) {
    const lock = new Lockstep();
    const state = initialTrainState();
    const failing = new TransformStream<StepGradients, StepGradients>({
      transform(g, c) {
        if (where === "upstream") throw new Error(`boom ${where}`);
        c.enqueue(g);
      },
    });
    const done = failing.readable.pipeThrough(lock.stage()).pipeTo(
      new WritableStream<StepGradients>({
        write(g) {
          tf.dispose([g.loss, g.accuracy]);
          throw new Error(`boom ${where}`);
        },
      }),
    ).catch(() => {});
    const g = grads(0);
    await failing.writable.getWriter().write(g).catch(() => tf.dispose([g.loss, g.accuracy]));
    await assert.rejects(lock.applied(state, 0), new RegExp(`boom ${where}`));
    await done;
  }
});
