/** From a pipeline config to the objects that train: model, optimizer, schedule. */
import type { PipelineConfig } from "../config/pipeline.ts";
import type { ModelConfig } from "../model/simclr_model.ts";
import { AdamW } from "../train/adamw.ts";
import { parseCheckpointEvery } from "../train/checkpoint_policy.ts";
import { Lars } from "../train/lars.ts";
import { learningRateAt, type LrScheduleOptions } from "../train/lr_schedule.ts";
import type { Optimizer } from "../train/optimizer.ts";
import { MomentumSgd } from "../train/sgd.ts";

/** The model a pipeline describes. */
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

/** The optimizer a pipeline names, with its settings. */
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

/** How many steps a run makes, from the dataset size and the batch settings. */
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

/** Splits the global batch over accumulation steps and ranks; counts steps. */
export function planSteps(cfg: PipelineConfig, samples: number, worldSize = 1): StepPlan {
  const o = cfg.optim;
  const perStep = o.batchSize / o.accumulateSteps;
  if (!Number.isInteger(perStep / worldSize)) {
    throw new Error(
      `optim.batchSize ${o.batchSize} / accumulateSteps ${o.accumulateSteps} = ${perStep} ` +
        `pairs per micro-batch cannot be split evenly over ${worldSize} processes`,
    );
  }
  const microBatch = perStep / worldSize;
  const microStepsPerEpoch = Math.floor(samples / perStep);
  const stepsPerEpoch = Math.floor(microStepsPerEpoch / o.accumulateSteps);
  if (stepsPerEpoch < 1) {
    throw new Error(
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
 * resumes into the uncapped one exactly (see {@link maxStepsNote}).
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
