/**
 * Learning-rate schedule of SimCLR: the peak rate from a scaling rule (linear: `base * batch /
 * 256`; sqrt: `base * sqrt(batch)`), linear warmup from 0 over `warmupSteps`, then cosine decay
 * to 0 at `totalSteps` (as the official code: `lr = step / warmup * peak` during warmup).
 */

/** The scaling rules of the peak rate, as the config's `optim.lrScaling` names them. */
export const LR_SCALINGS = ["linear", "sqrt", "none"] as const;

/** The schedule's parameters. */
export interface LrScheduleOptions {
  /** Base rate: 0.3 for the linear rule, 0.075 for sqrt (SimCLR). */
  baseLr: number;
  /** `linear` (default), `sqrt`, or `none` (peak = baseLr). */
  scaling?: typeof LR_SCALINGS[number];
  /** Optimizer batch size in pairs (micro-batch size x accumulation steps x ranks). */
  batchSize: number;
  /** Warmup steps (default 0). */
  warmupSteps?: number;
  /** Total optimizer steps; the rate reaches 0 here. */
  totalSteps: number;
}

/**
 * The peak learning rate the schedule reaches after warmup: `baseLr * batchSize / 256`
 * (linear), `baseLr * sqrt(batchSize)` (sqrt) or `baseLr` (none); `batchSize` is the global one.
 *
 * @example
 * ```ts
 * peakLearningRate({ baseLr: 0.3, scaling: "linear", batchSize: 4096 }); // 4.8
 * ```
 */
export function peakLearningRate(
  o: Pick<LrScheduleOptions, "baseLr" | "scaling" | "batchSize">,
): number {
  switch (o.scaling ?? "linear") {
    case "linear":
      return (o.baseLr * o.batchSize) / 256;
    case "sqrt":
      return o.baseLr * Math.sqrt(o.batchSize);
    case "none":
      return o.baseLr;
    default:
      throw new Error(`unknown LR scaling '${o.scaling}': choose linear, sqrt or none`);
  }
}

/** The learning rate at optimizer step `step` (0-based). */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  const peak = peakLearningRate(o);
  const warmup = o.warmupSteps ?? 0;
  if (step < warmup) return (step / warmup) * peak;
  const decaySteps = o.totalSteps - warmup;
  if (decaySteps <= 0) return peak;
  const progress = Math.min(1, (step - warmup) / decaySteps);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}
