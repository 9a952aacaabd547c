/**
 * A run's encoder as a TensorFlow.js LayersModel folder, with the input the encoder expects
 * (size, channels, layout, resize and normalization) written into the model's
 * `userDefinedMetadata`, so an application can prepare images without the run's config.
 */
import { describeEvalView, type EvalCrop } from "../augment/eval_view.ts";
import { resolveAugment } from "../augment/presets.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import { type SavedModelFolder, saveModelFolder } from "../model/tfjs_files.ts";
import { encoderLayersModel } from "../model/tfjs_layers.ts";

/**
 * The `simclr` entry of the exported model's `userDefinedMetadata`.
 */
export interface EncoderMetadata {
  encoder: string;
  run: string;
  step: number;
  /** Length of the output feature vector `h`. */
  featureDim: number;
  input: {
    layout: "NHWC";
    size: number;
    channels: 1 | 3;
    /** Per-channel mean and std on the 0..1 scale: input = (pixel / 255 - mean) / std. */
    mean: number[];
    std: number[];
    /** The evaluation crop (`whole`, `center`, `simclr`: see `evalCropBox`) and its proportion. */
    crop: EvalCrop;
    cropProportion: number;
    /** How the run turned an image into the input, in words. */
    transform: string;
  };
  output: string;
}

/** The metadata of `model`'s encoder trained by the run `cfg` describes. */
export function encoderMetadata(
  cfg: PipelineConfig,
  model: SimCLRModel,
  run: string,
  step: number,
): EncoderMetadata {
  const spec = resolveAugment(cfg.augment);
  const channels = cfg.model.inChannels;
  return {
    encoder: model.encoder.name,
    run,
    step,
    featureDim: model.encoder.featureDim,
    input: {
      layout: "NHWC",
      size: spec.size,
      channels,
      mean: [...spec.mean],
      std: [...spec.std],
      crop: cfg.eval.crop,
      cropProportion: cfg.eval.cropProportion,
      transform: `${channels === 1 ? "gray (colour images: BT.601 luma)" : "RGB"}; ` +
        describeEvalView({ ...spec, crop: cfg.eval.crop, cropProportion: cfg.eval.cropProportion }),
    },
    output: `features h [batch, ${model.encoder.featureDim}] after global average pooling ` +
      "(batch norm in inference mode, with the running statistics)",
  };
}

/**
 * Writes `model`'s encoder as `dir/model.json` + weight shards with {@link encoderMetadata}
 * under `userDefinedMetadata.simclr`.
 */
export async function exportTfjs(
  cfg: PipelineConfig,
  model: SimCLRModel,
  run: string,
  step: number,
  dir: string,
): Promise<SavedModelFolder & { metadata: EncoderMetadata }> {
  const metadata = encoderMetadata(cfg, model, run, step);
  const layers = encoderLayersModel(model.encoder, metadata.input.size);
  try {
    return { ...(await saveModelFolder(layers, dir, { simclr: metadata })), metadata };
  } finally {
    layers.dispose();
  }
}
