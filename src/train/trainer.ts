/**
 * `trainer(...)`: the usual training chain as one `WritableStream<Batch>` sink:
 * forward/NT-Xent/backward -> [accumulate k] -> [your stages: all-reduce, clipping, ...] ->
 * optimizer step (metrics, checkpoints). Pipe batches into it; it resolves when the last
 * optimizer step and the final checkpoint are done.
 */
import type { SimCLRModel } from "../model/simclr_model.ts";
import { accumulateGradients } from "./accumulate.ts";
import type { Batch } from "./batch.ts";
import { forwardBackward } from "./forward_backward.ts";
import type { LrScheduleOptions } from "./lr_schedule.ts";
import type { NtXentReduction } from "./nt_xent.ts";
import type { Optimizer } from "./optimizer.ts";
import { type CheckpointOptions, optimizerStep } from "./optimizer_step.ts";
import type { StepGradients } from "./step_gradients.ts";
import { JsonlMetricsWriter, progressPrinter, type StepMetrics } from "./step_metrics.ts";
import type { TrainState } from "./train_state.ts";
import type { TrainingHooks } from "./training_hooks.ts";

/** Options of {@link trainer}. */
export interface TrainerOptions {
  model: SimCLRModel;
  optimizer: Optimizer;
  /** LR schedule (its `batchSize` should be the optimizer batch) or a function of the step. */
  learningRate: LrScheduleOptions | ((step: number) => number);
  /** NT-Xent temperature (default 0.5). */
  temperature?: number;
  /** NT-Xent reduction: `mean` over the 2N anchors (default) or google's `sum-of-directions`. */
  lossReduction?: NtXentReduction;
  /** Micro-batches per optimizer step (default 1). Enlarges the optimizer batch, not negatives. */
  accumulate?: number;
  /** Stages between accumulation and the optimizer (e.g. gradient all-reduce, clipping). */
  stages?: TransformStream<StepGradients, StepGradients>[];
  /** Distributed seams: global BN, gathered NT-Xent candidates. */
  hooks?: TrainingHooks;
  /** BN running-statistics momentum (default 0.1). */
  bnMomentum?: number;
  /** Progress to continue from (mutated in place); default a fresh one. */
  state?: TrainState;
  /** Read loss/accuracy every this many optimizer steps (default 10). */
  logEvery?: number;
  /** Append metrics to this JSONL file. */
  metricsFile?: string;
  /** Show a progress line on stderr (default false). */
  progress?: boolean;
  /** Total steps (for the progress display). */
  totalSteps?: number;
  /** Receives metrics every `logEvery` steps. */
  onMetrics?: (m: StepMetrics) => void | Promise<void>;
  checkpoint?: CheckpointOptions;
  onCheckpoint?: (path: string, state: TrainState) => void;
}

/** The training sink: a `WritableStream<Batch>` composed of the stages. */
export function trainer(opts: TrainerOptions): WritableStream<Batch> {
  const fb = forwardBackward(opts.model, {
    temperature: opts.temperature,
    lossReduction: opts.lossReduction,
    bnMomentum: opts.bnMomentum,
    hooks: opts.hooks,
  });
  let readable: ReadableStream<StepGradients> = fb.readable;
  if ((opts.accumulate ?? 1) > 1) {
    readable = readable.pipeThrough(accumulateGradients(opts.accumulate!));
  }
  for (const s of opts.stages ?? []) readable = readable.pipeThrough(s);
  const jsonl = opts.metricsFile ? new JsonlMetricsWriter(opts.metricsFile) : undefined;
  const show = opts.progress ? progressPrinter(opts.totalSteps) : undefined;
  const sink = optimizerStep({
    model: opts.model,
    optimizer: opts.optimizer,
    learningRate: opts.learningRate,
    state: opts.state,
    logEvery: opts.logEvery,
    checkpoint: opts.checkpoint,
    onCheckpoint: opts.onCheckpoint,
    onMetrics: async (m) => {
      await jsonl?.write(m);
      show?.(m);
      await opts.onMetrics?.(m);
    },
  });
  const done = readable.pipeTo(sink).finally(() => jsonl?.close());
  done.catch(() => {}); // surfaced through write/close below
  const writer = fb.writable.getWriter();
  return new WritableStream<Batch>({
    async write(batch) {
      await writer.ready;
      await writer.write(batch);
    },
    async close() {
      await writer.close();
      await done;
      if (opts.progress && Deno.stderr.isTerminal()) console.error();
    },
    async abort(reason) {
      await writer.abort(reason);
      await done.catch(() => {});
    },
  }, { highWaterMark: 1 });
}
