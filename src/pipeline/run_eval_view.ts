/** The evaluation view a run's config describes, in one place for `embed` and the TF.js export. */
import type { EvalViewSpec } from "../augment/eval_view.ts";
import { resolveAugment } from "../augment/presets.ts";
import type { PipelineConfig } from "../config/pipeline.ts";

/**
 * The run's evaluation transform (what `evalView` takes): the augmentation's view size and
 * normalization, with `eval.crop` and `eval.cropProportion`.
 */
export function runEvalView(cfg: PipelineConfig): Required<EvalViewSpec> {
  const spec = resolveAugment(cfg.augment);
  return {
    size: spec.size,
    mean: spec.mean,
    std: spec.std,
    crop: cfg.eval.crop,
    cropProportion: cfg.eval.cropProportion,
  };
}
