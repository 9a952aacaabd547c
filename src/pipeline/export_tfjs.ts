/**
 * A run's encoder as a TensorFlow.js LayersModel folder, with the input the encoder expects
 * (size, channels, layout, resize and normalization) written into the model's
 * `userDefinedMetadata`, so an application can prepare images without the run's config.
 */
import { describeEvalView } from "../augment/_eval_crop.ts";
import type { EvalCrop } from "../augment/eval_view.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import { type SavedModelFolder, saveModelFolder } from "../model/tfjs_files.ts";
import { encoderLayersModel } from "../model/tfjs_layers.ts";
import { runEvalView } from "./run_eval_view.ts";

/**
 * The `simclr` entry of the exported model's `userDefinedMetadata`: which run and step the
 * encoder comes from, the input it expects (size, channels, normalization, crop) and its output.
 *
 * @example Preparing a pixel as the encoder expects
 * ```ts
 * import type { EncoderMetadata } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const normalize = (m: EncoderMetadata, pixel: number, c: number) =>
 *   (pixel / 255 - m.input.mean[c]) / m.input.std[c];
 * const metadata: EncoderMetadata = {
 *   encoder: "resnet18", run: "runs/x", step: 1000, featureDim: 512,
 *   input: { layout: "NHWC", size: 32, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25],
 *     crop: "whole", cropProportion: 0.875, transform: "RGB" },
 *   output: "features h [batch, 512]",
 * };
 * assert.equal(normalize(metadata, 255, 0), 2);
 * ```
 */
export interface EncoderMetadata {
  /** The encoder's architecture, e.g. `resnet18`. */
  encoder: string;
  /** The run directory the weights come from. */
  run: string;
  /** The checkpoint's optimizer step. */
  step: number;
  /** Length of the output feature vector `h`. */
  featureDim: number;
  /** What the model takes: an NHWC float batch prepared as described. */
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
  /** What the model gives, in words. */
  output: string;
}

/** The metadata of `model`'s encoder trained by the run `cfg` describes. */
export function encoderMetadata(
  cfg: PipelineConfig,
  model: SimCLRModel,
  run: string,
  step: number,
): EncoderMetadata {
  const view = runEvalView(cfg);
  const channels = cfg.model.inChannels;
  return {
    encoder: model.encoder.name,
    run,
    step,
    featureDim: model.encoder.featureDim,
    input: {
      layout: "NHWC",
      size: view.size,
      channels,
      mean: [...view.mean],
      std: [...view.std],
      crop: view.crop,
      cropProportion: view.cropProportion,
      transform: `${channels === 1 ? "gray (colour images: BT.601 luma)" : "RGB"}; ` +
        describeEvalView(view),
    },
    output: `features h [batch, ${model.encoder.featureDim}] after global average pooling ` +
      "(batch norm in inference mode, with the running statistics)",
  };
}

/**
 * Writes `model`'s encoder as a TensorFlow.js LayersModel folder (`dir/model.json` + weight
 * shards), with the input it expects under `userDefinedMetadata.simclr` ({@link EncoderMetadata}),
 * so an application can prepare images without the run's config (what `deno task export`
 * writes to `runs/x/tfjs`).
 *
 * @param cfg The run's config.
 * @param model The trained model.
 * @param run The run directory, recorded in the metadata.
 * @param step The checkpoint's step, recorded in the metadata.
 * @param dir The output folder.
 * @returns The files written and the metadata.
 *
 * @example Exporting a tiny run's encoder
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { exportTfjs, loadRunModel, pretrain } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * // A tiny dataset in MNIST's file layout: 8x8 gray images of two classes.
 * const dir = await Deno.makeTempDir();
 * const gz = (magic: number, dims: number[], body: number[]) => {
 *   const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
 *   head.setUint32(0, magic);
 *   dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
 *   return gzipSync(Uint8Array.from([...new Uint8Array(head.buffer), ...body]));
 * };
 * for (const [split, n] of [["train", 16], ["t10k", 8]] as const) {
 *   const labels = Array.from({ length: n }, (_, i) => i % 2);
 *   // class 0: horizontal stripes, class 1: vertical ones
 *   const pixels = Array.from({ length: n * 64 }, (_, p) =>
 *     ((labels[p >> 6] ? p : p >> 3) % 8) * 30);
 *   await Deno.writeFile(`${dir}/${split}-images-idx3-ubyte.gz`, gz(0x803, [n, 8, 8], pixels));
 *   await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte.gz`, gz(0x801, [n], labels));
 * }
 * const cfg = parsePipeline(`
 * run: { outDir: ${dir}/runs }
 * data: { dataset: mnist, path: ${dir}, workers: 0 }
 * augment: { preset: simclr-gray, size: 8 }
 * model: { encoder: small, stem: cifar, inChannels: 1, head: { layers: 2, hidden: 8, out: 4 } }
 * optim: { epochs: 1, batchSize: 8, warmupEpochs: 0 }
 * train: { backend: wasm }
 * eval: { knn: { k: 3 }, linearProbe: { maxIterations: 20 } }
 * `, "tiny.yaml");
 * try {
 *   const { runDir } = await pretrain(cfg, { evaluate: false, progress: false, log: () => {} });
 *   const { model, step } = await loadRunModel(runDir, cfg);
 *   const out = await exportTfjs(cfg, model, runDir, step, `${dir}/tfjs`);
 *   model.dispose();
 *   assert.equal(out.metadata.input.size, 8);
 *   assert.equal(out.metadata.featureDim, 128);
 *   const json = JSON.parse(await Deno.readTextFile(`${dir}/tfjs/model.json`));
 *   assert.equal(json.userDefinedMetadata.simclr.step, step);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
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
