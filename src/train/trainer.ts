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
import { JsonlMetricsWriter } from "./step_metrics.ts";

/** Options of {@link trainer}: the optimizer step's, the forward pass's, and the chain's. */
export interface TrainerOptions extends OptimizerStepOptions, ForwardBackwardOptions {
  /** Micro-batches per optimizer step (default 1). Enlarges the optimizer batch, not negatives. */
  accumulate?: number;
  /** Stages between accumulation and the optimizer (e.g. gradient all-reduce, clipping). */
  stages?: TransformStream<StepGradients, StepGradients>[];
  /** Append metrics to this JSONL file. */
  metricsFile?: string;
}

/** The training sink, with the optimizer steps it applied as promises. */
export type Trainer = WritableStream<Batch> & { readonly applied: AppliedSteps };

/** The training sink: a `WritableStream<Batch>` composed of the stages. */
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
