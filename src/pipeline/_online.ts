/** The online linear classifier a pipeline asks for (`eval.online`, `eval.onlineHead`). */
import type { PipelineConfig } from "../config/pipeline.ts";
import type { OpenedDataset } from "../data/registry.ts";
import { learningRateAt, peakLearningRate } from "../train/lr_schedule.ts";
import { OnlineClassifier } from "../train/online_classifier.ts";
import { scheduleOf, type StepPlan } from "./build.ts";

/**
 * The online classifier of a run, or undefined when it is off: `eval.online` on, or unset and
 * the training dataset lists its classes (named datasets, image folders). Its LR follows the
 * pretraining schedule (warmup, cosine), at `eval.onlineHead.lr` at the peak when set, else at
 * the pretraining LR itself, as google's code trains it with the encoder's optimizer.
 */
export function onlineClassifierOf(
  cfg: PipelineConfig,
  plan: StepPlan,
  dataset: OpenedDataset,
  featureDim: number,
): OnlineClassifier | undefined {
  const classes = dataset.kind === "indexed" ? dataset.dataset.classes?.length ?? 0 : 0;
  if (cfg.eval.online === false || (cfg.eval.online === undefined && classes < 2)) return undefined;
  if (classes < 2) {
    throw new RangeError(
      `eval.online is on but the training dataset (${cfg.data.dataset}) lists no classes, so ` +
        "the classifier cannot be sized: use a labelled dataset (a named one, or an image " +
        "folder with one sub-folder per class), or set eval.online: false",
    );
  }
  const schedule = scheduleOf(cfg, plan);
  const head = cfg.eval.onlineHead;
  const scale = head.lr === undefined ? 1 : head.lr / peakLearningRate(schedule);
  return new OnlineClassifier({
    featureDim,
    numClasses: classes,
    learningRate: (step) => scale * learningRateAt(step, schedule),
    optimizer: head.optimizer,
    momentum: head.momentum,
    weightDecay: head.weightDecay ?? cfg.optim.weightDecay,
    trustCoefficient: cfg.optim.trustCoefficient,
  });
}

/** One line for the log: what the online classifier trains with. */
export function describeOnline(cfg: PipelineConfig, online: OnlineClassifier | undefined): string {
  if (!online) return "online classifier: off";
  const h = cfg.eval.onlineHead;
  return `online classifier: ${online.numClasses} classes on h (${online.featureDim}), ` +
    `${h.optimizer}, peak LR ${h.lr ?? "as pretraining"}, weight decay ` +
    `${h.weightDecay ?? cfg.optim.weightDecay}`;
}
