/**
 * An encoder as a TensorFlow.js LayersModel: the same graph in `tf.layers` (conv with explicit
 * zero padding as torchvision pads, batch normalization in inference mode with the running
 * statistics, ReLU, residual adds, max pool, global average pooling), NHWC input, the features
 * `h` as output. Layer names are torchvision's (`conv1`, `layer1.0.bn2`, ...), so its weights read
 * `layer1.0.conv1/kernel` and so on.
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchNorm } from "./batch_norm.ts";
import { SmallNet } from "./small_net.ts";
import type { Conv2d } from "./conv.ts";
import type { Encoder } from "./encoder.ts";
import { ResNet } from "./resnet.ts";
import { BasicBlock, Bottleneck, type ResidualBlock } from "./resnet_blocks.ts";

type Sym = tf.SymbolicTensor;

/** Applies a layer to one symbolic tensor (the layers API types this loosely). */
function call(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/** Zero padding (when any) then a bias-free convolution with the layer's HWIO kernel. */
function conv(x: Sym, c: Conv2d, name: string): Sym {
  const [k, , , filters] = c.weight.variable.shape;
  const padded = c.padding > 0
    ? call(tf.layers.zeroPadding2d({ padding: c.padding, name: `${name}.pad` }), x)
    : x;
  const layer = tf.layers.conv2d({
    filters,
    kernelSize: k,
    strides: c.stride,
    padding: "valid",
    useBias: false,
    name,
  });
  const y = call(layer, padded);
  layer.setWeights([c.weight.variable]);
  return y;
}

/** Batch normalization with the running statistics (Keras momentum = 1 - PyTorch's), then ReLU. */
function bn(x: Sym, b: BatchNorm, name: string, relu: boolean): Sym {
  const center = b.bias !== undefined;
  const layer = tf.layers.batchNormalization({
    axis: -1,
    epsilon: b.eps,
    momentum: 0.9,
    center,
    name,
  });
  const y = call(layer, x);
  layer.setWeights([
    b.weight.variable,
    ...(b.bias ? [b.bias.variable] : []),
    b.runningMean.variable,
    b.runningVar.variable,
  ]);
  return relu ? call(tf.layers.reLU({ name: `${name}.relu` }), y) : y;
}

function block(x: Sym, b: ResidualBlock, name: string): Sym {
  let y: Sym;
  if (b instanceof BasicBlock) {
    y = bn(conv(x, b.conv1, `${name}.conv1`), b.bn1, `${name}.bn1`, true);
    y = bn(conv(y, b.conv2, `${name}.conv2`), b.bn2, `${name}.bn2`, false);
  } else if (b instanceof Bottleneck) {
    y = bn(conv(x, b.conv1, `${name}.conv1`), b.bn1, `${name}.bn1`, true);
    y = bn(conv(y, b.conv2, `${name}.conv2`), b.bn2, `${name}.bn2`, true);
    y = bn(conv(y, b.conv3, `${name}.conv3`), b.bn3, `${name}.bn3`, false);
  } else {
    throw new TypeError(`${name}: unknown residual block ${b.constructor.name}`);
  }
  const d = b.downsample;
  const shortcut = d
    ? bn(conv(x, d.conv, `${name}.downsample.0`), d.bn, `${name}.downsample.1`, false)
    : x;
  const sum = call(tf.layers.add({ name: `${name}.add` }), [y, shortcut]);
  return call(tf.layers.reLU({ name: `${name}.relu` }), sum);
}

/**
 * Builds the LayersModel of `encoder` (a ResNet or the small net) for `size x size` inputs
 * with the encoder's channels, holding copies of its current weights. The model computes what
 * `encoder.apply(x, { training: false })` computes. Dispose it when done.
 *
 * @param encoder A ResNet or the small net, e.g. `model.encoder`.
 * @param size The input images' height and width.
 * @returns A LayersModel from `[N, size, size, channels]` images to `[N, featureDim]` features.
 * @throws {RangeError} When `size` is not a positive integer.
 *
 * @example The LayersModel computes the encoder's features
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { encoderLayersModel, smallNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = smallNet({ inChannels: 1, stemWidth: 2, widths: [3] });
 * const layers = encoderLayersModel(encoder, 6);
 * const x = tf.randomUniform([2, 6, 6, 1]) as tf.Tensor4D;
 * const a = layers.predict(x) as tf.Tensor2D;
 * const b = encoder.apply(x, { training: false });
 * assert.deepEqual(a.shape, [2, 3]);
 * assert.ok(tf.tidy(() => a.sub(b).abs().max().arraySync() as number) < 1e-5);
 * tf.dispose([x, a, b]);
 * layers.dispose();
 * encoder.store.dispose();
 * ```
 */
export function encoderLayersModel(encoder: Encoder, size: number): tf.LayersModel {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`encoderLayersModel: size must be a positive integer, got ${size}`);
  }
  const input = tf.input({ shape: [size, size, encoder.inChannels], name: "image" });
  let y: Sym;
  if (encoder instanceof ResNet) {
    y = bn(conv(input, encoder.conv1, "conv1"), encoder.bn1, "bn1", true);
    if (encoder.stem === "imagenet") {
      // The input is >= 0 after ReLU, so zero padding equals the -inf padding of max pooling.
      y = call(tf.layers.zeroPadding2d({ padding: 1, name: "maxpool.pad" }), y);
      y = call(
        tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "valid", name: "maxpool" }),
        y,
      );
    }
    encoder.layers.forEach((layer, li) => {
      layer.forEach((b, bi) => {
        y = block(y, b, `layer${li + 1}.${bi}`);
      });
    });
  } else if (encoder instanceof SmallNet) {
    y = input;
    const names = [
      "stem",
      ...encoder.layers.slice(1).map((_, i) => `stage${(i >> 1) + 1}.${i % 2}`),
    ];
    encoder.layers.forEach(({ conv: c, bn: b }, i) => {
      y = bn(conv(y, c, `${names[i]}.conv`), b, `${names[i]}.bn`, true);
    });
  } else {
    throw new TypeError(
      `encoder '${encoder.name}' has no TensorFlow.js layers export (ResNet and the small net do)`,
    );
  }
  const h = call(tf.layers.globalAveragePooling2d({ name: "avgpool" }), y);
  return tf.model({ inputs: input, outputs: h, name: `simclr_${encoder.name}` });
}
