/** From a pipeline config to the objects that train: model, optimizer, schedule. */
import type { PipelineConfig } from "../config/pipeline.ts";
import type { ModelConfig } from "../model/simclr_model.ts";
import { AdamW } from "../train/adamw.ts";
import { parseCheckpointEvery } from "../train/checkpoint_policy.ts";
import { Lars } from "../train/lars.ts";
import { learningRateAt, type LrScheduleOptions } from "../train/lr_schedule.ts";
import type { Optimizer } from "../train/optimizer.ts";
import { MomentumSgd } from "../train/sgd.ts";

/**
 * The model a pipeline describes (`model.*`, seeded by `run.seed`), as `createModel` of
 * `@simclr/streams/model` takes it.
 *
 * @param cfg A resolved pipeline config.
 * @returns The model config.
 *
 * @example The model of a pipeline
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { modelConfigOf } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline(
 *   "model:\n  encoder: resnet18\n  head: { out: 64 }\nrun: { seed: 7 }\n",
 * );
 * const model = modelConfigOf(cfg);
 * assert.equal(model.encoder, "resnet18");
 * assert.equal(model.head?.outDim, 64);
 * assert.equal(model.seed, 7);
 * ```
 */
export function modelConfigOf(cfg: PipelineConfig): ModelConfig {
  const m = cfg.model;
  return {
    encoder: m.encoder,
    stem: m.stem,
    inChannels: m.inChannels,
    widthMultiplier: m.widthMultiplier,
    zeroInitResidual: m.zeroInitResidual,
    head: {
      layers: m.head.layers,
      hiddenDim: m.head.hidden,
      outDim: m.head.out,
      output: m.head.output,
    },
    seed: cfg.run.seed,
  };
}

/**
 * The optimizer a pipeline names (`optim.name`: `lars`, `sgd` or `adamw`), with its momentum,
 * weight decay and trust coefficient.
 *
 * @param cfg A resolved pipeline config.
 * @returns A new optimizer (no state yet).
 *
 * @example LARS or AdamW from the config
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { optimizerOf } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const lars = optimizerOf(parsePipeline("optim: { name: lars }\n"));
 * const adamw = optimizerOf(parsePipeline("optim: { name: adamw }\n"));
 * assert.equal(lars.constructor.name, "Lars");
 * assert.equal(adamw.constructor.name, "AdamW");
 * ```
 */
export function optimizerOf(cfg: PipelineConfig): Optimizer {
  const o = cfg.optim;
  switch (o.name) {
    case "lars":
      return new Lars({
        momentum: o.momentum,
        weightDecay: o.weightDecay,
        trustCoefficient: o.trustCoefficient,
      });
    case "sgd":
      return new MomentumSgd({ momentum: o.momentum, weightDecay: o.weightDecay });
    case "adamw":
      return new AdamW({ beta1: o.momentum, weightDecay: o.weightDecay });
  }
}

/**
 * How many steps a run makes, from the dataset size and the batch settings
 * ({@link planSteps}); `pretrain` returns the plan it followed.
 *
 * @example The plan of a run
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { planSteps, type StepPlan } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline("optim: { batchSize: 256, epochs: 10 }\n");
 * const plan: StepPlan = planSteps(cfg, 60_000);
 * assert.equal(plan.stepsPerEpoch, 234); // floor(60000 / 256): the rest of an epoch is unused
 * assert.equal(plan.totalSteps, 2340);
 * assert.equal(plan.microBatch, 256);
 * ```
 */
export interface StepPlan {
  /** Samples an epoch holds, as counted (tar shards: `data.maxSamples`). */
  samples: number;
  /** Pairs per micro-batch on one process. */
  microBatch: number;
  /**
   * Micro-batches per epoch on one process (the data position's unit): `stepsPerEpoch * k`, so the
   * input stream gives exactly these and leaves the rest of the epoch unused.
   */
  microStepsPerEpoch: number;
  /** Optimizer steps per epoch. */
  stepsPerEpoch: number;
  /** Optimizer steps of the whole run (after `maxSteps`). */
  totalSteps: number;
  /** Epochs the data stream must cover. */
  epochs: number;
}

/**
 * Splits the global batch (`optim.batchSize`) over accumulation steps and ranks, and counts
 * the steps of the run (`optim.epochs`, capped by `train.maxSteps`).
 *
 * @param cfg A resolved pipeline config.
 * @param samples Samples an epoch holds.
 * @param worldSize Processes training together.
 * @returns The plan.
 * @throws {RangeError} when a micro-batch cannot be split evenly over the processes, or the
 * dataset holds fewer samples than one batch.
 *
 * @example Two ranks and gradient accumulation
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { planSteps } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline("optim: { batchSize: 512, accumulateSteps: 2, epochs: 1 }\n");
 * const plan = planSteps(cfg, 10_000, 2);
 * assert.equal(plan.microBatch, 128); // 512 / 2 accumulation steps / 2 ranks
 * assert.equal(plan.stepsPerEpoch, 19); // floor(10000 / 256) micro-steps, 2 per step
 * assert.equal(plan.microStepsPerEpoch, 38);
 * assert.throws(() => planSteps(cfg, 100), RangeError); // fewer samples than one batch
 * ```
 */
export function planSteps(cfg: PipelineConfig, samples: number, worldSize = 1): StepPlan {
  const o = cfg.optim;
  const perStep = o.batchSize / o.accumulateSteps;
  if (!Number.isInteger(perStep / worldSize)) {
    throw new RangeError(
      `optim.batchSize ${o.batchSize} / accumulateSteps ${o.accumulateSteps} = ${perStep} ` +
        `pairs per micro-batch cannot be split evenly over ${worldSize} processes`,
    );
  }
  const microBatch = perStep / worldSize;
  const microStepsPerEpoch = Math.floor(samples / perStep);
  const stepsPerEpoch = Math.floor(microStepsPerEpoch / o.accumulateSteps);
  if (stepsPerEpoch < 1) {
    throw new RangeError(
      `the dataset has ${samples} samples, fewer than one optimizer batch of ${o.batchSize} ` +
        `pairs: lower optim.batchSize (or raise data.maxSamples)`,
    );
  }
  const planned = stepsPerEpoch * o.epochs;
  const totalSteps = Math.min(planned, cfg.train.maxSteps ?? planned);
  return {
    samples,
    microBatch,
    microStepsPerEpoch: stepsPerEpoch * o.accumulateSteps,
    stepsPerEpoch,
    totalSteps,
    epochs: Math.ceil(totalSteps / stepsPerEpoch),
  };
}

/**
 * The LR schedule: scaling rule on the global batch, warmup, cosine decay to 0 at the end of
 * `optim.epochs`. `train.maxSteps` does not shorten it: the cap is a stop point, so a capped run
 * resumes into the uncapped one exactly.
 *
 * @param cfg A resolved pipeline config.
 * @param plan The run's plan ({@link planSteps}).
 * @returns The schedule options the trainer takes as `learningRate`.
 *
 * @example Warmup and length of the schedule
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { planSteps, scheduleOf } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline(
 *   "optim: { batchSize: 100, epochs: 4, warmupEpochs: 1, baseLr: 0.3 }\n",
 * );
 * const schedule = scheduleOf(cfg, planSteps(cfg, 1000));
 * assert.equal(schedule.totalSteps, 40);
 * assert.equal(schedule.warmupSteps, 10);
 * assert.equal(schedule.baseLr, 0.3);
 * ```
 */
export function scheduleOf(cfg: PipelineConfig, plan: StepPlan): LrScheduleOptions {
  const o = cfg.optim;
  const planned = plan.stepsPerEpoch * o.epochs;
  return {
    baseLr: o.baseLr,
    scaling: o.lrScaling,
    batchSize: o.batchSize,
    warmupSteps: Math.min(Math.round(o.warmupEpochs * plan.stepsPerEpoch), planned),
    totalSteps: planned,
  };
}

/**
 * What `train.maxSteps` does to the LR schedule, for the log: a note when the cap stops the run
 * before the cosine reaches 0 (the LR it stops at, and how to get a complete short run instead);
 * undefined when there is no cap before the end.
 */
export function maxStepsNote(cfg: PipelineConfig, plan: StepPlan): string | undefined {
  const schedule = scheduleOf(cfg, plan);
  if (plan.totalSteps >= schedule.totalSteps) return undefined;
  const lr = learningRateAt(plan.totalSteps, schedule);
  return `train.maxSteps ${plan.totalSteps} stops the run before its LR schedule ends ` +
    `(${schedule.totalSteps} steps over optim.epochs ${cfg.optim.epochs}; LR at the stop ` +
    `${+lr.toPrecision(3)}), so that it can be resumed; for a complete short run, lower ` +
    `optim.epochs (or data.maxSamples) instead`;
}

/**
 * `train.checkpointEvery` as the optimizer stage's cadence: steps (epochs become
 * `epochs x stepsPerEpoch` steps, at least 1) or seconds.
 */
export function checkpointCadenceOf(
  cfg: PipelineConfig,
  plan: StepPlan,
): { every?: number; everySeconds?: number } {
  const e = parseCheckpointEvery(cfg.train.checkpointEvery);
  switch (e.unit) {
    case "steps":
      return { every: Math.max(1, Math.round(e.value)) };
    case "epochs":
      return { every: Math.max(1, Math.round(e.value * plan.stepsPerEpoch)) };
    case "seconds":
      return { everySeconds: e.value };
  }
}
