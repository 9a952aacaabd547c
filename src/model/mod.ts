/**
 * Models: named parameters, batch norm, ResNet encoders, the benchmark net, the projection
 * head, and weight files (own names; torchvision's for export).
 * @module
 */

/**
 * Builds a SimCLR network (encoder + projection head) from a JSON-serializable config.
 *
 * @example
 * ```ts
 * import { createModel } from "./mod.ts";
 * const model = createModel({ encoder: "resnet18", stem: "cifar", head: { layers: 2 } });
 * const { h, z } = model.apply(x, { training: false }); // x: NHWC [N, 32, 32, 3]
 * ```
 */
export { createModel, type ModelConfig, SimCLRModel } from "./simclr_model.ts";
/**
 * torchvision-layout ResNet-18/34/50 encoders (`imagenet` or `cifar` stem, 1 or 3 channels,
 * width multiplier); features `h` after global average pooling, no `fc`.
 *
 * @example
 * ```ts
 * import { resnet } from "./mod.ts";
 * const enc = resnet("resnet50", { stem: "imagenet", seed: 0 });
 * console.log(enc.featureDim, enc.store.countTrainable()); // 2048 23508032
 * ```
 */
export { ResNet, resnet, type ResNetDepth, type ResNetOptions } from "./resnet.ts";
/**
 * torchvision's residual blocks (BasicBlock, expansion 1; Bottleneck, expansion 4).
 *
 * @example
 * ```ts
 * import { BasicBlock, ParamStore } from "./mod.ts";
 * const block = new BasicBlock(new ParamStore(), "layer2.0", 64, 128, 2);
 * ```
 */
export { BasicBlock, Bottleneck, type ResidualBlock } from "./resnet_blocks.ts";
/**
 * The design's small benchmark net (3x3 stem 32, stages 32/64/128 of two convs, BN + ReLU).
 *
 * @example
 * ```ts
 * import { smallNet } from "./mod.ts";
 * const enc = smallNet({ widths: [32, 64, 128] });
 * ```
 */
export { SmallNet, smallNet, type SmallNetOptions } from "./small_net.ts";
/**
 * What every encoder offers: `apply(x, ctx)` giving `[N, featureDim]`, its parameter store.
 *
 * @example
 * ```ts
 * import { type Encoder, resnet } from "./mod.ts";
 * const enc: Encoder = resnet("resnet18");
 * ```
 */
export type { Encoder } from "./encoder.ts";
/**
 * SimCLR's projection head: MLP with BN + ReLU (2 layers v1, 3 layers v2), 128-d output.
 *
 * @example
 * ```ts
 * import { ParamStore, ProjectionHead } from "./mod.ts";
 * const head = new ProjectionHead(new ParamStore(), 2048, { layers: 3, outDim: 128 });
 * ```
 */
export {
  ProjectionHead,
  type ProjectionHeadOptions,
  type ProjectionOutput,
} from "./projection_head.ts";
/**
 * Batch norm (+ fused ReLU) with training/inference modes, PyTorch running statistics and a
 * matrix-product gradient; `commitRunningStats` applies the recorded running-stat updates.
 *
 * @example
 * ```ts
 * import { BatchNorm, commitRunningStats, ParamStore, type RunningStatUpdate } from "./mod.ts";
 * const bn = new BatchNorm(new ParamStore(), "bn1", 64);
 * const updates: RunningStatUpdate[] = [];
 * const y = bn.apply(x, { training: true, updates }, true);
 * commitRunningStats(updates, 0.1);
 * ```
 */
export {
  BatchNorm,
  type BatchNormOptions,
  batchNormTraining,
  commitRunningStats,
} from "./batch_norm.ts";
/**
 * Mode and hooks of a forward pass; `BatchNormHooks` is the seam for global (cross-rank) BN.
 *
 * @example
 * ```ts
 * import type { BatchNormHooks, ForwardContext } from "./mod.ts";
 * const hooks: BatchNormHooks = { allReduceSum: (t) => t, globalCount: (m) => m };
 * const ctx: ForwardContext = { training: true, batchNorm: hooks, updates: [] };
 * ```
 */
export type { BatchNormHooks, ForwardContext, RunningStatUpdate } from "./forward_context.ts";
/**
 * Layers: a bias-free conv (HWIO weight, torchvision padding) and a linear layer.
 *
 * @example
 * ```ts
 * import { Conv2d, Linear, ParamStore } from "./mod.ts";
 * const store = new ParamStore(0);
 * const conv = new Conv2d(store, "conv1", 3, 64, { kernel: 3, stride: 1 });
 * const fc = new Linear(store, "fc", 512, 10);
 * ```
 */
export { Conv2d, type ConvOptions } from "./conv.ts";
/**
 * A fully connected layer (weight `[in, out]`, PyTorch's default init).
 *
 * @example
 * ```ts
 * import { Linear, ParamStore } from "./mod.ts";
 * const fc = new Linear(new ParamStore(), "probe", 512, 10);
 * ```
 */
export { Linear } from "./linear.ts";
/**
 * Global average pooling NHWC -> `[N, C]`.
 *
 * @example
 * ```ts
 * import { globalAveragePool } from "./mod.ts";
 * const h = globalAveragePool(featureMap); // [N, H, W, C] -> [N, C]
 * ```
 */
export { globalAveragePool } from "./global_pool.ts";
/**
 * Named parameters (`tf.Variable`s) with tags for weight-decay/LARS exclusions and a layout.
 *
 * @example
 * ```ts
 * import { ParamStore } from "./mod.ts";
 * const store = new ParamStore(42);
 * const b = store.create("fc.bias", [10], { kind: "constant", value: 0 }, ["bias"]);
 * console.log(store.countTrainable()); // 10
 * ```
 */
export { type Param, type ParamLayout, ParamStore, type ParamTag } from "./params.ts";
/**
 * Seeded initial values (Kaiming normal fan_out, PyTorch Linear uniform, constants).
 *
 * @example
 * ```ts
 * import { initialValues } from "./mod.ts";
 * const w = initialValues([3, 3, 16, 32], { kind: "kaimingNormalFanOut" }, 0, "conv.weight");
 * ```
 */
export { type Init, initialValues } from "./init.ts";
/**
 * The safetensors format: encode and decode tensors with string metadata.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./mod.ts";
 * const bytes = encodeSafetensors([["x", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]);
 * console.log(decodeSafetensors(bytes).tensors.get("x")?.shape); // [2]
 * ```
 */
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafeDtype,
  type SafeTensor,
  type SafeTensorsFile,
} from "./safetensors.ts";
/**
 * Weight files with every parameter and BN statistic, in this project's names and layouts.
 *
 * @example
 * ```ts
 * import { createModel, loadWeights, saveWeights } from "./mod.ts";
 * const model = createModel({ encoder: "resnet18" });
 * await saveWeights(model.store, "weights.safetensors");
 * await loadWeights(model.store, "weights.safetensors");
 * ```
 */
export { assignStoreTensors, loadWeights, saveWeights, storeTensors } from "./weights.ts";
/**
 * Encoder weights in torchvision's names and layouts (loadable by
 * `torchvision.models.resnet18().load_state_dict(sd, strict=False)`), as `deno task export`
 * writes them.
 *
 * @example
 * ```ts
 * import { createModel, saveTorchvisionWeights } from "./mod.ts";
 * const model = createModel({ encoder: "resnet18" });
 * await saveTorchvisionWeights(model.encoder, "resnet18.safetensors");
 * ```
 */
export { exportTorchvision, saveTorchvisionWeights } from "./torchvision_weights.ts";
/**
 * An encoder as a TensorFlow.js LayersModel, and model folders (model.json + weight shards).
 *
 * @example
 * ```ts
 * import { encoderLayersModel, loadLayersModelFrom, saveModelFolder } from "./mod.ts";
 * await saveModelFolder(encoderLayersModel(model.encoder, 28), "out/tfjs");
 * const back = await loadLayersModelFrom("out/tfjs");
 * ```
 */
export { encoderLayersModel } from "./tfjs_layers.ts";
export {
  loadLayersModelFrom,
  type SavedModelFolder,
  saveModelFolder,
  SHARD_BYTES,
} from "./tfjs_files.ts";
