/**
 * A custom stage in the training chain: gradient clipping by global norm, inserted between the
 * forward/NT-Xent/backward stage and the optimizer step through `trainer({ stages })`. The
 * loop is the project's stages piped together: `trainingBatches` (samples in epoch order ->
 * decode and paired SimCLR views in a worker pool -> batches -> prefetch), `take`, `trainer`.
 *
 * Every step prints the gradients' global norm before and after the stage (the second one
 * recomputed from the clipped tensors), and the loss; the run ends with a check that no tensor
 * was left behind.
 *
 * Run it (tiny settings, a few seconds on the `wasm` backend):
 *
 *     deno run -A examples/custom_stage.ts --steps 4 --pairs 8 --max-norm 0.5
 *
 * Flags: `--backend wasm|native|cpu|webgpu|auto` (default wasm), `--steps N` optimizer steps,
 * `--pairs N` pairs per batch, `--size N` view side in pixels, `--max-norm X` clipping
 * threshold, `--workers N` augmentation workers (default 1; 0: on the main thread),
 * `--dataset synthetic|fashion-mnist` (default synthetic: striped 16x16 images made here;
 * `fashion-mnist` reads the real one, e.g. Debian's `dataset-fashion-mnist`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import {
  createModel,
  type IndexedDataset,
  Lars,
  openDataset,
  type OpenedDataset,
  type RawImage,
  startBackend,
  type StepGradients,
  type StepMetrics,
  take,
  trainer,
  trainingBatches,
} from "@simclr/streams";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    backend: { type: "string", default: "wasm" },
    steps: { type: "string", default: "4" },
    pairs: { type: "string", default: "8" },
    size: { type: "string", default: "16" },
    "max-norm": { type: "string", default: "0.5" },
    dataset: { type: "string", default: "synthetic" },
    workers: { type: "string", default: "1" },
  },
});
const steps = positiveInt("steps", flags.steps);
const pairs = positiveInt("pairs", flags.pairs);
const size = positiveInt("size", flags.size);
const workers = positiveInt("workers", flags.workers, 0);
const maxNorm = Number(flags["max-norm"]);
if (!(maxNorm > 0)) throw new RangeError(`--max-norm must be a positive number, got ${maxNorm}`);

/**
 * The custom stage: scales every gradient by `min(1, maxNorm / ||g||)`, where `||g||` is the
 * global L2 norm over all parameters (as `torch.nn.utils.clip_grad_norm_`). It owns the
 * `StepGradients` it receives, so it disposes the gradients it replaces. `report` gets the norm
 * before and after clipping; reading them (`await data()`) waits for the device, so a stage that
 * only clips would leave that out.
 */
function clipByGlobalNorm(
  maxNorm: number,
  report: (microStep: number, before: number, after: number) => void,
): TransformStream<StepGradients, StepGradients> {
  const globalNorm = (grads: StepGradients["grads"]) =>
    tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  return new TransformStream<StepGradients, StepGradients>({
    async transform(g, controller) {
      const before = globalNorm(g.grads);
      const clipped = tf.tidy(() => {
        const scale = tf.minimum(1, tf.div(maxNorm, tf.add(before, 1e-6)));
        const out: StepGradients["grads"] = {};
        for (const [name, grad] of Object.entries(g.grads)) out[name] = tf.mul(grad, scale);
        return out;
      });
      for (const grad of Object.values(g.grads)) grad.dispose();
      g.grads = clipped;
      const after = globalNorm(clipped);
      const [b, a] = [(await before.data())[0], (await after.data())[0]];
      tf.dispose([before, after]);
      report(g.microStep, b, a);
      controller.enqueue(g);
    },
  });
}

/** 64 labelled gray images of four stripe patterns (rows, columns, diagonals, a diamond). */
function syntheticDataset(side: number): IndexedDataset {
  const image = (i: number): RawImage => {
    const label = i % 4;
    const data = new Uint8Array(side * side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const on = [
          y % 4 < 2,
          x % 4 < 2,
          (x + y) % 4 < 2,
          Math.abs(x - side / 2) + Math.abs(y - side / 2) < side / 3,
        ][label];
        data[y * side + x] = (on ? 200 : 30) + ((i * 37 + x * 11 + y * 7) % 25);
      }
    }
    return { key: `synthetic[${i}]`, width: side, height: side, channels: 1, data, label };
  };
  return { name: "synthetic", length: 64, get: (i) => Promise.resolve(image(i)) };
}

const backend = await startBackend(flags.backend);
const tensorsAtStart = tf.memory().numTensors;
const opened: OpenedDataset = flags.dataset === "synthetic"
  ? { kind: "indexed", dataset: syntheticDataset(size) }
  : await openDataset(flags.dataset);
const length = opened.kind === "indexed" ? opened.dataset.length : Infinity;
const perEpoch = Math.floor(length / pairs);
if (perEpoch < 1) throw new RangeError(`--pairs ${pairs} is more than the ${length} samples`);
const epochs = Math.ceil(steps / perEpoch);
console.log(
  `backend ${backend.name}; ${flags.dataset}, ${steps} steps of ${pairs} pairs, ` +
    `views ${size}x${size}, clipping at global norm ${maxNorm}`,
);

const model = createModel({
  encoder: "small",
  inChannels: 1,
  smallWidths: { stem: 8, stages: [8, 16, 16] },
  head: { layers: 2, hiddenDim: 16, outDim: 16 },
});
const optimizer = new Lars();
const norms: { before: number; after: number }[] = [];
const losses: number[] = [];
const logNorms = (microStep: number, before: number, after: number) => {
  norms.push({ before, after });
  const clipped = before > maxNorm ? " (clipped)" : "";
  console.log(
    `step ${microStep + 1}: grad norm ${before.toFixed(4)} -> ${after.toFixed(4)}${clipped}`,
  );
};
const logMetrics = (m: StepMetrics) => {
  losses.push(m.loss);
  console.log(`step ${m.step}: loss ${m.loss.toFixed(4)}, lr ${m.lr.toFixed(4)}`);
};

await trainingBatches({
  dataset: opened,
  augment: { preset: "simclr-gray", size },
  channels: 1,
  batchSize: pairs,
  microStepsPerEpoch: perEpoch,
  epochs,
  seed: 0,
  workers, // decode + paired views in a worker pool (0: on this thread)
  prefetch: 2,
})
  .pipeThrough(take(steps)) // the last epoch may hold more batches than the steps asked for
  .pipeTo(trainer({
    model,
    optimizer,
    learningRate: { baseLr: 0.3, batchSize: pairs, totalSteps: steps },
    temperature: 0.5,
    logEvery: 1,
    stages: [clipByGlobalNorm(maxNorm, logNorms)], // between backward and the optimizer step
    onMetrics: logMetrics,
  }));

optimizer.dispose();
model.dispose();
if (opened.kind === "indexed") opened.dataset.close?.();
assert.equal(norms.length, steps, "the stage saw every step");
assert.equal(losses.length, steps, "the optimizer applied every step");
assert.ok(losses.every(Number.isFinite), "every loss is finite");
for (const { before, after } of norms) {
  assert.ok(Math.abs(after - Math.min(before, maxNorm)) <= 1e-3 * Math.max(1, before), "clipped");
}
assert.equal(tf.memory().numTensors, tensorsAtStart, "no tensor left behind");
console.log(
  `done: ${norms.length} steps, tensors left behind: ${tf.memory().numTensors - tensorsAtStart}`,
);

function positiveInt(name: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`--${name} must be an integer >= ${min}, got '${text}'`);
  }
  return n;
}
