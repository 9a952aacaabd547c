/**
 * The optimizer stage on its own, fed hand-made gradients: the update and the LR of each step,
 * the cadence of metrics and checkpoints, a NaN on a step that is not logged, the final
 * checkpoint written only when needed, and the applied steps as promises.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { createModel, type SimCLRModel } from "../../src/model/simclr_model.ts";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { optimizerStep, type OptimizerStepOptions } from "../../src/train/optimizer_step.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import type { StepGradients } from "../../src/train/step_gradients.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { initialTrainState, type TrainState } from "../../src/train/train_state.ts";
import { TINY } from "./_fixtures.ts";

await tf.setBackend("cpu");

interface Step {
  /** Every gradient value (default 1). */
  grad?: number;
  loss?: number;
  waitMs?: number;
}

/** Gradients of micro-batch `microStep`: `grad` everywhere, 4 pairs, epoch microStep / 10. */
function gradients(model: SimCLRModel, microStep: number, s: Step = {}): StepGradients {
  const grads: Record<string, tf.Tensor> = {};
  for (const p of model.store.trainable()) {
    grads[p.name] = tf.fill(p.variable.shape, s.grad ?? 1);
  }
  return {
    microStep,
    epoch: Math.floor(microStep / 10),
    pairs: 4,
    microBatches: 1,
    grads,
    loss: tf.scalar(s.loss ?? 2 + microStep),
    accuracy: tf.scalar(0.25),
    waitMs: s.waitMs ?? 10 * (microStep + 1),
    computeMs: 100,
  };
}

async function weights(model: SimCLRModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const p of model.store.trainable()) {
    out.set(p.name, await p.variable.data() as Float32Array);
  }
  return out;
}

/** Runs the stage over `steps` (one per micro-batch, from `state.microStep + 1`). */
async function run(
  model: SimCLRModel,
  steps: Step[],
  opts: Partial<OptimizerStepOptions> & { state?: TrainState },
) {
  const metrics: StepMetrics[] = [];
  const checkpoints: number[] = [];
  const optimizer = new MomentumSgd({ momentum: 0, weightDecay: 0 });
  const state = opts.state ?? initialTrainState();
  const first = state.microStep + 1;
  const stage = optimizerStep({
    model,
    optimizer,
    learningRate: (step) => 0.01 * (step + 1),
    logEvery: 2,
    ...opts,
    state,
    onMetrics: (m) => void metrics.push(m),
    onCheckpoint: (_path, s) => void checkpoints.push(s.step),
  });
  try {
    let i = 0; // made on demand: nothing is left undisposed when the stage fails
    const input = new ReadableStream<StepGradients>({
      pull: (c) =>
        i < steps.length ? c.enqueue(gradients(model, first + i, steps[i++])) : c.close(),
    }, { highWaterMark: 0 });
    await input.pipeTo(stage);
  } finally {
    optimizer.dispose();
  }
  return { metrics, checkpoints, state, stage };
}

Deno.test("optimizerStep: each step applies its gradient at the LR of its 0-based index, disposing it", async () => {
  const model = createModel(TINY);
  const before = await weights(model);
  const tensors = tf.memory().numTensors;
  const { state } = await run(model, [{ grad: 1 }, { grad: 2 }, { grad: -1 }], {});
  // SGD without momentum: w - 0.01 * 1 - 0.02 * 2 - 0.03 * -1 = w - 0.02
  for (const [name, w] of await weights(model)) {
    const w0 = before.get(name)!;
    for (let i = 0; i < w.length; i++) {
      assert.ok(Math.abs(w[i] - (w0[i] - 0.02)) < 1e-6, `${name}[${i}]: ${w0[i]} -> ${w[i]}`);
    }
  }
  assert.deepEqual(state, { step: 3, images: 3 * 2 * 4, microStep: 2, epoch: 0 });
  assert.equal(tf.memory().numTensors, tensors, "the stage keeps no tensor of a step");
  model.dispose();
});

Deno.test("optimizerStep: metrics every logEvery steps and at each checkpoint, averaged over the interval", async () => {
  const dir = await Deno.makeTempDir();
  const model = createModel(TINY);
  const steps = Array.from({ length: 7 }, () => ({}));
  const { metrics, checkpoints } = await run(model, steps, {
    logEvery: 2,
    checkpoint: { path: `${dir}/c.ckpt`, every: 3 },
  });
  // logged after steps 2, 4, 6 (logEvery) and 3, 6 (checkpoints), once each
  assert.deepEqual(metrics.map((m) => m.step), [2, 3, 4, 6]);
  // checkpoints after steps 3 and 6, and at the end (step 7 was not saved yet)
  assert.deepEqual(checkpoints, [3, 6, 7]);
  const m = metrics[0];
  assert.equal(m.loss, 2 + 1); // the loss of micro-batch 1 (step 2)
  assert.equal(m.accuracy, 0.25);
  assert.ok(Math.abs(m.lr - 0.02) < 1e-12, `lr ${m.lr}`); // the LR step 2 used (index 1)
  assert.equal(m.waitMs, (10 + 20) / 2); // mean over steps 1 and 2
  assert.equal(m.computeMs, 100);
  assert.equal(metrics[1].waitMs, 30); // step 3 alone
  assert.equal(metrics[3].waitMs, (50 + 60) / 2); // steps 5 and 6
  assert.ok(m.imagesPerSec > 0 && Number.isFinite(m.imagesPerSec));
  assert.ok(!Number.isNaN(Date.parse(m.time)));
  const ck = await loadCheckpoint(`${dir}/c.ckpt`);
  assert.deepEqual(ck.meta.train, { step: 7, images: 7 * 8, microStep: 6, epoch: 0 });
  assert.deepEqual(ck.meta.dataPosition, { epoch: 0, nextMicroStep: 7 });
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("optimizerStep: the final checkpoint is written only when the last step was not saved", async () => {
  const dir = await Deno.makeTempDir();
  const model = createModel(TINY);
  const path = `${dir}/c.ckpt`;
  // 6 steps, every 3: saved after steps 3 and 6, nothing more at the end
  const six = await run(model, Array.from({ length: 6 }, () => ({})), {
    checkpoint: { path, every: 3 },
  });
  assert.deepEqual(six.checkpoints, [3, 6]);
  // no `every`: only at the end
  const end = await run(model, [{}, {}], { checkpoint: { path: `${dir}/end.ckpt` } });
  assert.deepEqual(end.checkpoints, [2]);
  // resumed at step 5 and closed before any step: nothing to save, the file stays as it was
  await Deno.remove(path);
  const state = { step: 5, images: 40, microStep: 4, epoch: 0 };
  const none = await run(model, [], { state, checkpoint: { path, every: 3 } });
  assert.deepEqual(none.checkpoints, []);
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  // resumed at step 5, one step: saved at the end, with the resumed counts
  const one = await run(model, [{}], { state: { ...state }, checkpoint: { path, every: 3 } });
  assert.deepEqual(one.checkpoints, [6]);
  assert.deepEqual((await loadCheckpoint(path)).meta.train, {
    step: 6,
    images: 48,
    microStep: 5,
    epoch: 0,
  });
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("optimizerStep: a NaN on a step that is not logged is caught at the next checkpoint, which is refused", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/c.ckpt`;
  const model = createModel(TINY);
  // steps 1-3 fine (checkpoint after 3), NaN gradient and loss at step 5: neither logged
  // (logEvery 4) nor checkpointed (every 3); step 6's checkpoint finds NaN weights
  const steps: Step[] = [{}, {}, {}, {}, { grad: NaN, loss: NaN }, {}, {}];
  const tensors = tf.memory().numTensors;
  let seen: StepMetrics[] = [];
  await assert.rejects(
    run(model, steps, { logEvery: 4, checkpoint: { path, every: 3 } }).then((r) => {
      seen = r.metrics;
    }),
    (err: Error) => {
      assert.match(err.message, /^training stopped: parameters after step 6 is NaN or infinite/);
      assert.match(err.message, /The last good checkpoint is .*c\.ckpt \(step 3\)/);
      assert.match(err.cause instanceof Error ? err.cause.message : "", /holds NaN/);
      return true;
    },
  );
  assert.deepEqual(seen, []);
  assert.equal((await loadCheckpoint(path)).meta.train.step, 3, "the good checkpoint stays");
  assert.equal(tf.memory().numTensors, tensors);
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("optimizerStep: a NaN loss on a logged step stops there, before the update", async () => {
  const model = createModel(TINY);
  const before = await weights(model);
  await assert.rejects(
    run(model, [{ loss: NaN, grad: 5 }], { logEvery: 1 }),
    /^Error: training stopped: the loss at step 1 \(NaN\) is NaN or infinite\. No checkpoint was written in this run;/,
  );
  assert.deepEqual(await weights(model), before);
  model.dispose();
});

Deno.test("optimizerStep: applied.until resolves after the step, and rejects when the stage or an earlier one failed", async () => {
  const model = createModel(TINY);
  const optimizer = new MomentumSgd();
  const stage = optimizerStep({ model, optimizer, learningRate: () => 0.01, logEvery: 1 });
  const writer = stage.getWriter();
  const order: string[] = [];
  const waited = stage.applied.until(1).then(() =>
    order.push(`applied ${stage.applied.state.step}`)
  );
  await writer.write(gradients(model, 0));
  order.push("wrote 0");
  await writer.write(gradients(model, 1));
  await waited;
  assert.deepEqual(order, ["wrote 0", "applied 2"]);
  await stage.applied.until(0); // already applied: at once
  // the stage fails (a NaN loss on a logged step): waits for later steps reject
  await writer.write(gradients(model, 2, { loss: NaN })).catch(() => {});
  await assert.rejects(stage.applied.until(2), /the loss at step 3 \(NaN\)/);
  optimizer.dispose();

  // an earlier stage failed: the pipe aborts the optimizer stage
  const other = optimizerStep({ model, optimizer: new MomentumSgd(), learningRate: () => 0.01 });
  const failing = new ReadableStream<StepGradients>({
    pull: (c) => c.error(new Error("boom upstream")),
  });
  const waiting = other.applied.until(0);
  await failing.pipeTo(other).catch(() => {});
  await assert.rejects(waiting, /boom upstream/);
  model.dispose();
});

Deno.test("optimizerStep: checkpoints every N seconds of training (clock injected), keeping the last K", async () => {
  const dir = await Deno.makeTempDir();
  const model = createModel(TINY);
  const path = `${dir}/c.ckpt`;
  let now = 0;
  const clock = () => (now += 1500); // 1.5 s between readings: one reading per step
  const { checkpoints } = await run(model, Array.from({ length: 8 }, () => ({})), {
    logEvery: 100,
    checkpoint: { path, everySeconds: 4, keep: 2, now: clock },
  });
  // each reading is 1.5 s on: 4.5 s after the start (or a save) at steps 3 and 6; 8 is the end
  assert.deepEqual(checkpoints, [3, 6, 8]);
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    ["c-step000006.ckpt", "c-step000008.ckpt", "c.ckpt"],
  );
  assert.equal((await loadCheckpoint(`${dir}/c-step000006.ckpt`)).meta.train.step, 6);
  assert.equal((await loadCheckpoint(path)).meta.train.step, 8);
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});
