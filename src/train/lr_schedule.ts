/**
 * Learning-rate schedule of SimCLR: the peak rate from a scaling rule (linear: `base * batch /
 * 256`; sqrt: `base * sqrt(batch)`), linear warmup from 0 over `warmupSteps`, then cosine decay
 * to 0 at `totalSteps` (as the official code: `lr = step / warmup * peak` during warmup).
 */

/** The scaling rules of the peak rate, as the config's `optim.lrScaling` names them. */
export const LR_SCALINGS = ["linear", "sqrt", "none"] as const satisfies readonly NonNullable<
  LrScheduleOptions["scaling"]
>[];

/**
 * The schedule's parameters.
 *
 * @example SimCLR's sqrt rule
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningRateAt, type LrScheduleOptions } from "@simclr/streams/train";
 * const schedule: LrScheduleOptions = { baseLr: 0.075, scaling: "sqrt", batchSize: 4096, warmupSteps: 10, totalSteps: 110 };
 * assert.equal(learningRateAt(0, schedule), 0); // warmup starts at 0
 * assert.ok(Math.abs(learningRateAt(60, schedule) - 0.075 * 64 / 2) < 1e-9); // half-way down the cosine
 * ```
 */
export interface LrScheduleOptions {
  /** Base rate: 0.3 for the linear rule, 0.075 for sqrt (SimCLR). */
  baseLr: number;
  /** `linear` (default), `sqrt`, or `none` (peak = baseLr). */
  scaling?: "linear" | "sqrt" | "none";
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
 * @throws {RangeError} for an unknown scaling rule.
 *
 * @example The three rules
 * ```ts
 * import assert from "node:assert/strict";
 * import { peakLearningRate } from "@simclr/streams/train";
 * assert.ok(Math.abs(peakLearningRate({ baseLr: 0.3, batchSize: 4096 }) - 4.8) < 1e-12); // linear
 * assert.equal(peakLearningRate({ baseLr: 0.075, scaling: "sqrt", batchSize: 4096 }), 4.8);
 * assert.equal(peakLearningRate({ baseLr: 0.1, scaling: "none", batchSize: 4096 }), 0.1);
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
      throw new RangeError(`unknown LR scaling '${o.scaling}': choose linear, sqrt or none`);
  }
}

/**
 * The learning rate at optimizer step `step` (0-based): linear warmup from 0 to the peak over
 * `warmupSteps`, then cosine decay to 0 at `totalSteps`.
 *
 * @example Warmup, peak, end
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningRateAt } from "@simclr/streams/train";
 * const o = { baseLr: 0.3, batchSize: 512, warmupSteps: 100, totalSteps: 1000 };
 * assert.equal(learningRateAt(50, o), 0.3); // half of the peak 0.6
 * assert.equal(learningRateAt(100, o), 0.6); // end of warmup
 * assert.equal(learningRateAt(1000, o), 0);
 * ```
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  const peak = peakLearningRate(o);
  const warmup = o.warmupSteps ?? 0;
  if (step < warmup) return (step / warmup) * peak;
  const decaySteps = o.totalSteps - warmup;
  if (decaySteps <= 0) return peak;
  const progress = Math.min(1, (step - warmup) / decaySteps);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}
