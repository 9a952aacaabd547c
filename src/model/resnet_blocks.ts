/**
 * torchvision's residual blocks: BasicBlock (ResNet-18/34) and Bottleneck (ResNet-50). With
 * `zeroInitResidual`, the last BN of the residual branch starts with gamma 0, so each block
 * starts as its shortcut (torchvision's `zero_init_residual`, google-research/simclr's
 * `init_zero=True`); the shortcut's BN keeps gamma 1.
 */
import type * as tf from "@tensorflow/tfjs";
import { addRelu } from "./add_relu.ts";
import { BatchNorm } from "./batch_norm.ts";
import { Conv2d } from "./conv.ts";
import type { ForwardContext } from "./forward_context.ts";
import type { ParamStore } from "./params.ts";

/** A residual block. */
export interface ResidualBlock {
  readonly outChannels: number;
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}

/** 1x1 conv + BN on the shortcut, named `${name}.downsample.0` / `.1` as in torchvision. */
class Downsample {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;
  constructor(store: ParamStore, name: string, inC: number, outC: number, stride: number) {
    this.conv = new Conv2d(store, `${name}.downsample.0`, inC, outC, { kernel: 1, stride });
    this.bn = new BatchNorm(store, `${name}.downsample.1`, outC);
  }
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.bn.apply(this.conv.apply(x, ctx), ctx) as tf.Tensor4D;
  }
}

/** conv3x3(stride)-BN-ReLU-conv3x3-BN, plus shortcut, ReLU. Expansion 1. */
export class BasicBlock implements ResidualBlock {
  static readonly expansion = 1;
  readonly outChannels: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly downsample?: Downsample;

  constructor(
    store: ParamStore,
    name: string,
    inC: number,
    planes: number,
    stride: number,
    zeroInitResidual = false,
  ) {
    this.outChannels = planes;
    this.conv1 = new Conv2d(store, `${name}.conv1`, inC, planes, { kernel: 3, stride });
    this.bn1 = new BatchNorm(store, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(store, `${name}.conv2`, planes, planes, { kernel: 3 });
    this.bn2 = new BatchNorm(store, `${name}.bn2`, planes, { gammaInit: zeroInitResidual ? 0 : 1 });
    if (stride !== 1 || inC !== planes) {
      this.downsample = new Downsample(store, name, inC, planes, stride);
    }
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const a = this.bn1.apply(this.conv1.apply(x, ctx), ctx, true) as tf.Tensor4D;
    const b = this.bn2.apply(this.conv2.apply(a, ctx), ctx);
    const shortcut = this.downsample ? this.downsample.apply(x, ctx) : x;
    return addRelu(b, shortcut, ctx.retain) as tf.Tensor4D;
  }
}

/** conv1x1-BN-ReLU-conv3x3(stride)-BN-ReLU-conv1x1-BN, plus shortcut, ReLU. Expansion 4. */
export class Bottleneck implements ResidualBlock {
  static readonly expansion = 4;
  readonly outChannels: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm;
  readonly downsample?: Downsample;

  constructor(
    store: ParamStore,
    name: string,
    inC: number,
    planes: number,
    stride: number,
    zeroInitResidual = false,
  ) {
    const out = planes * Bottleneck.expansion;
    this.outChannels = out;
    this.conv1 = new Conv2d(store, `${name}.conv1`, inC, planes, { kernel: 1 });
    this.bn1 = new BatchNorm(store, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(store, `${name}.conv2`, planes, planes, { kernel: 3, stride });
    this.bn2 = new BatchNorm(store, `${name}.bn2`, planes);
    this.conv3 = new Conv2d(store, `${name}.conv3`, planes, out, { kernel: 1 });
    this.bn3 = new BatchNorm(store, `${name}.bn3`, out, { gammaInit: zeroInitResidual ? 0 : 1 });
    if (stride !== 1 || inC !== out) {
      this.downsample = new Downsample(store, name, inC, out, stride);
    }
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const a = this.bn1.apply(this.conv1.apply(x, ctx), ctx, true) as tf.Tensor4D;
    const b = this.bn2.apply(this.conv2.apply(a, ctx), ctx, true) as tf.Tensor4D;
    const c = this.bn3.apply(this.conv3.apply(b, ctx), ctx);
    const shortcut = this.downsample ? this.downsample.apply(x, ctx) : x;
    return addRelu(c, shortcut, ctx.retain) as tf.Tensor4D;
  }
}
