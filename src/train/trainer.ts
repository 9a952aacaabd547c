/**
 * `trainer(...)`: the usual training chain as one `WritableStream<Batch>` sink:
 * forward/NT-Xent/backward -> [accumulate k] -> [your stages: all-reduce, clipping, ...] ->
 * optimizer step (metrics, checkpoints). Pipe batches into it; it resolves when the last
 * optimizer step and the final checkpoint are done, and `applied.until(microStep)` resolves
 * once a given micro-batch went through an applied optimizer step.
 */
import { accumulateGradients } from "./accumulate.ts";
import type { AppliedSteps } from "./applied_steps.ts";
import type { Batch } from "./batch.ts";
import { forwardBackward, type ForwardBackwardOptions } from "./forward_backward.ts";
import { optimizerStep, type OptimizerStepOptions } from "./optimizer_step.ts";
import type { StepGradients } from "./step_gradients.ts";
import { JsonlMetricsWriter } from "./_metrics_file.ts";

/**
 * Options of {@link trainer}: the optimizer step's, the forward pass's, and the chain's.
 *
 * @example Accumulation, a custom stage and a metrics file
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, trainer, type TrainerOptions, type StepGradients } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const dir = await Deno.makeTempDir();
 * let seen = 0;
 * const options: TrainerOptions = {
 *   model,
 *   optimizer: new Lars(),
 *   learningRate: () => 0.1,
 *   accumulate: 2, // 2 micro-batches per optimizer step
 *   stages: [new TransformStream<StepGradients, StepGradients>({
 *     transform(g, c) { seen += g.microBatches; c.enqueue(g); },
 *   })],
 *   metricsFile: `${dir}/metrics.jsonl`,
 *   logEvery: 1,
 * };
 * await ReadableStream.from([0, 1, 2, 3].map(batch)).pipeTo(trainer(options));
 * const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
 * assert.deepEqual(lines.map((l) => JSON.parse(l).step), [1, 2]);
 * assert.equal(seen, 4);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface TrainerOptions extends OptimizerStepOptions, ForwardBackwardOptions {
  /** Micro-batches per optimizer step (default 1). Enlarges the optimizer batch, not negatives. */
  accumulate?: number;
  /** Stages between accumulation and the optimizer (e.g. gradient all-reduce, clipping). */
  stages?: TransformStream<StepGradients, StepGradients>[];
  /** Append metrics to this JSONL file. */
  metricsFile?: string;
}

/**
 * The training sink, with the optimizer steps it applied as promises.
 *
 * @example Writing batches one at a time
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, MomentumSgd, type Trainer, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const sink: Trainer = trainer({ model, optimizer: new MomentumSgd(), learningRate: () => 0.1 });
 * const writer = sink.getWriter();
 * await writer.write(batch(0));
 * await sink.applied.until(0); // the weights now include micro-batch 0
 * assert.equal(sink.applied.state.step, 1);
 * await writer.close();
 * ```
 */
export type Trainer = WritableStream<Batch> & { readonly applied: AppliedSteps };

/**
 * The training sink: a `WritableStream<Batch>` composing {@link forwardBackward} ->
 * [{@link accumulateGradients}] -> [`opts.stages`] -> {@link optimizerStep} (scheduled LR,
 * metrics every `logEvery` steps, checkpoints). Piping into it resolves when the last step and
 * the final checkpoint are done; it rejects when a stage fails (a NaN loss stops training).
 *
 * @example Pretraining a tiny model for three steps
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, Lars, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const losses: number[] = [];
 * await ReadableStream.from([0, 1, 2].map(batch)).pipeTo(trainer({
 *   model,
 *   optimizer: new Lars(),
 *   learningRate: { baseLr: 0.3, batchSize: 2, warmupSteps: 1, totalSteps: 3 },
 *   temperature: 0.5,
 *   logEvery: 1,
 *   onMetrics: (m) => { losses.push(m.loss); },
 * }));
 * assert.equal(losses.length, 3);
 * assert.ok(losses.every(Number.isFinite));
 * ```
 */
export function trainer(opts: TrainerOptions): Trainer {
  const fb = forwardBackward(opts.model, opts);
  let readable: ReadableStream<StepGradients> = fb.readable;
  if ((opts.accumulate ?? 1) > 1) {
    readable = readable.pipeThrough(accumulateGradients(opts.accumulate!));
  }
  for (const s of opts.stages ?? []) readable = readable.pipeThrough(s);
  const jsonl = opts.metricsFile ? new JsonlMetricsWriter(opts.metricsFile) : undefined;
  const sink = optimizerStep({
    ...opts,
    onMetrics: async (m) => {
      await jsonl?.write(m);
      await opts.onMetrics?.(m);
    },
  });
  const done = readable.pipeTo(sink).finally(() => jsonl?.close());
  done.catch((err) => sink.applied.fail(err)); // also surfaced through write/close below
  const writer = fb.writable.getWriter();
  const stream = new WritableStream<Batch>({
    async write(batch) {
      await writer.ready;
      await writer.write(batch);
    },
    async close() {
      await writer.close();
      await done;
    },
    async abort(reason) {
      await writer.abort(reason);
      await done.catch(() => {});
    },
  }, { highWaterMark: 1 });
  return Object.assign(stream, { applied: sink.applied });
}
