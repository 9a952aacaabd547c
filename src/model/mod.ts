/**
 * The SimCLR network: ResNet-18/34/50 encoders in torchvision's layout (or the small benchmark
 * net), the projection head, the model that joins them, and its weight files: this project's
 * own safetensors, torchvision-compatible encoder weights, and TensorFlow.js model folders.
 *
 * The training path builds the network with {@link createModel} from the config's `model`
 * section (checkpoints store that config, so a run's model can be rebuilt), saves it with
 * {@link saveWeights} and exports its encoder with {@link saveTorchvisionWeights} and
 * {@link encoderLayersModel} + {@link saveModelFolder}.
 *
 * @example Build a tiny model and compute features and projections
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const model = createModel({ encoder: "small", smallWidths: { stem: 4, stages: [4, 8] } });
 * const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
 * const { h, z } = model.apply(x, { training: false });
 * assert.deepEqual(h.shape, [2, 8]);
 * assert.deepEqual(z.shape, [2, 128]);
 * tf.dispose([x, h, z]);
 * model.dispose();
 * ```
 *
 * @module
 */

export { createModel, type ModelConfig, SimCLRModel } from "./simclr_model.ts";
export { ResNet, resnet, type ResNetDepth, type ResNetOptions } from "./resnet.ts";
export { SmallNet, smallNet, type SmallNetOptions } from "./small_net.ts";
export type { Encoder } from "./encoder.ts";
export {
  ProjectionHead,
  type ProjectionHeadOptions,
  type ProjectionOutput,
} from "./projection_head.ts";
export type { BatchNormHooks, ForwardContext, RunningStatUpdate } from "./forward_context.ts";
export { commitRunningStats } from "./running_stats.ts";
export { type Param, ParamStore } from "./params.ts";
export { loadWeights, saveWeights } from "./weights.ts";
export { exportTorchvision, saveTorchvisionWeights } from "./torchvision_weights.ts";
export { encoderLayersModel } from "./tfjs_layers.ts";
export { loadLayersModelFrom, type SavedModelFolder, saveModelFolder } from "./tfjs_files.ts";
