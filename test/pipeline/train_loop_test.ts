/**
 * The training loop on one process, with synthetic micro-batches: where it starts and ends,
 * the kNN monitor seeing every step before it, a stop request, input that runs out early.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { SingleCommunicator } from "../../src/distributed/single.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { ranksOf } from "../../src/pipeline/ranks.ts";
import { trainLoop, type TrainLoopOptions } from "../../src/pipeline/train_loop.ts";
import type { Batch } from "../../src/train/batch.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import type { StepGradients } from "../../src/train/step_gradients.ts";
import { initialTrainState, type TrainState } from "../../src/train/train_state.ts";
import { trainer } from "../../src/train/trainer.ts";
import { batches, TINY } from "../train/_fixtures.ts";

await tf.setBackend("cpu");

async function loop(
  o: Partial<TrainLoopOptions> & {
    accumulate?: number;
    state?: TrainState;
    to?: number;
    /** Delay (ms) of each step's gradients before the optimizer stage. */
    delayMs?: number;
  },
) {
  const model = createModel(TINY);
  const optimizer = new MomentumSgd();
  const state = o.state ?? initialTrainState();
  const accumulate = o.accumulate ?? 1;
  const delay = new TransformStream<StepGradients, StepGradients>({
    async transform(g, c) {
      await new Promise((r) => setTimeout(r, o.delayMs ?? 0));
      c.enqueue(g);
    },
  });
  const sink = trainer({
    model,
    optimizer,
    learningRate: () => 0.01,
    accumulate,
    state,
    stages: [delay],
  });
  const written: number[] = [];
  const input = batches(state.microStep + 1, o.to ?? 100).pipeThrough(
    new TransformStream<Batch, Batch>({
      transform(b, c) {
        written.push(b.microStep);
        c.enqueue(b);
      },
    }),
  );
  const ranks = ranksOf(new SingleCommunicator({ listenForStop: false }), { accumulate });
  try {
    const end = await trainLoop({
      input,
      trainer: sink,
      model,
      ranks,
      microSteps: 6,
      ...o,
    });
    return { end, state, written };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

Deno.test("trainLoop: trains the micro-batches from the state's position to microSteps", async () => {
  const fresh = await loop({});
  assert.equal(fresh.end, undefined);
  assert.deepEqual(fresh.state, { step: 6, images: 6 * 8, microStep: 5, epoch: 0 });
  const resumed = await loop({ state: { step: 4, images: 32, microStep: 3, epoch: 0 } });
  assert.deepEqual(resumed.state, { step: 6, images: 6 * 8, microStep: 5, epoch: 0 });
  const accumulated = await loop({ accumulate: 2, microSteps: 8 });
  assert.deepEqual(accumulated.state, { step: 4, images: 8 * 8, microStep: 7, epoch: 0 });
});

Deno.test("trainLoop: the monitor runs before its batch, once every earlier micro-batch was applied", async () => {
  for (const accumulate of [1, 2]) {
    const seen: { epoch: number; step: number; microStep: number }[] = [];
    let state: TrainState | undefined;
    const r = await loop({
      accumulate,
      microSteps: 8,
      delayMs: 20, // a slow optimizer stage: the monitor must wait for it
      monitor: {
        due: (b) => b.microStep === 4,
        run: (epoch) => {
          seen.push({ epoch, step: state!.step, microStep: state!.microStep });
          return Promise.resolve();
        },
      },
      state: state = initialTrainState(),
    });
    assert.deepEqual(seen, [{ epoch: 0, step: 4 / accumulate, microStep: 3 }], `k ${accumulate}`);
    assert.equal(r.state.step, 8 / accumulate);
  }
});

Deno.test("trainLoop: a stop request ends it after the current micro-batch, with the trainer closed", async () => {
  const controller = new AbortController();
  const input = batches(0, 100).pipeThrough(
    new TransformStream<Batch, Batch>({
      transform(b, c) {
        if (b.microStep === 3) controller.abort(); // asked while micro-batch 3 is being read
        c.enqueue(b);
      },
    }),
  );
  const r = await loop({ input, signal: controller.signal });
  assert.equal(r.end, "stopped");
  assert.deepEqual(r.state, { step: 3, images: 3 * 8, microStep: 2, epoch: 0 });
});

Deno.test("trainLoop: a stop asked inside an accumulation group ends it at the group's end, one process too", async () => {
  const controller = new AbortController();
  const input = batches(0, 100).pipeThrough(
    new TransformStream<Batch, Batch>({
      transform(b, c) {
        if (b.microStep === 3) controller.abort(); // the second micro-batch of step 2's group
        c.enqueue(b);
      },
    }),
  );
  const r = await loop({ input, accumulate: 2, microSteps: 8, signal: controller.signal });
  assert.equal(r.end, "stopped");
  assert.deepEqual(r.state, { step: 2, images: 4 * 8, microStep: 3, epoch: 0 });
});

Deno.test("trainLoop: input that runs out before microSteps ends it early", async () => {
  const r = await loop({ to: 4 });
  assert.equal(r.end, "exhausted");
  assert.deepEqual(r.written, [0, 1, 2, 3]);
  assert.equal(r.state.step, 4);
});
