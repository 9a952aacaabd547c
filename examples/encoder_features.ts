/**
 * A trained run's encoder in your own code: load a run directory (what `deno task pretrain`, or
 * `examples/image_folder.ts`, printed), prepare a few images with the run's evaluation transform
 * (`evalView`: crop, resize, normalize), and compute their features `h` (and projections `z`)
 * in one batch, with batch norm in inference mode.
 *
 * It checks the shapes (`[images, encoder.featureDim]`, `[images, head width]`), that each
 * image's features do not depend on the batch it was computed in, and prints the first values
 * of each row and the cosine similarity of every image to the first.
 *
 * Run it (a run directory is needed: `examples/image_folder.ts` makes a tiny one in seconds):
 *
 *     deno run -A examples/encoder_features.ts --run runs/my-images-... [IMAGE ...]
 *
 * Flags: `--run DIR` (required), `--count N` images taken from the run's own dataset when no
 * image file is given (default 4), `--backend NAME` (default wasm).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import {
  createDecoder,
  decodeSample,
  evalView,
  type EvalViewSpec,
  isEncoded,
  loadRunConfig,
  loadRunModel,
  openDataset,
  type RawImage,
  resolveAugment,
  startBackend,
} from "@simclr/streams";

const { values: flags, positionals: files } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    run: { type: "string" },
    count: { type: "string", default: "4" },
    backend: { type: "string", default: "wasm" },
  },
});
if (flags.run === undefined) {
  throw new TypeError(
    "--run DIR is required: a run directory, e.g. the one `deno run -A examples/image_folder.ts` prints",
  );
}
const count = Number(flags.count);
if (!Number.isInteger(count) || count < 1) {
  throw new RangeError(`--count must be a positive integer, got '${flags.count}'`);
}

const cfg = await loadRunConfig(flags.run);
await startBackend(flags.backend);
const tensorsAtStart = tf.memory().numTensors;
const { model, step } = await loadRunModel(flags.run, cfg);
const channels = cfg.model.inChannels as 1 | 3;
const decoder = await createDecoder(cfg.data.decoder);

// The images: the files given, or the first `count` of the run's own training data.
const images: RawImage[] = [];
if (files.length > 0) {
  for (const path of files) {
    images.push(
      await decodeSample(decoder, { key: path, bytes: await Deno.readFile(path) }, channels),
    );
  }
} else {
  const opened = await openDataset(cfg.data.dataset, {
    path: cfg.data.path,
    split: cfg.data.split,
  });
  if (opened.kind !== "indexed") {
    throw new TypeError(`${cfg.data.dataset}: tar shards have no random access; pass image files`);
  }
  for (let i = 0; i < Math.min(count, opened.dataset.length); i++) {
    const sample = await opened.dataset.get(i);
    images.push(isEncoded(sample) ? await decodeSample(decoder, sample, channels) : sample);
  }
  opened.dataset.close?.();
}

// The run's evaluation transform, as `deno task embed` and the evaluation apply it.
const augment = resolveAugment(cfg.augment);
const view: EvalViewSpec = {
  size: augment.size,
  mean: augment.mean,
  std: augment.std,
  crop: cfg.eval.crop,
  cropProportion: cfg.eval.cropProportion,
};
const S = view.size, per = S * S * channels;
const pixels = new Float32Array(images.length * per);
images.forEach((image, i) => pixels.set(evalView(image, view).data, i * per));

const { h, z } = tf.tidy(() =>
  model.apply(tf.tensor4d(pixels, [images.length, S, S, channels]), { training: false })
);
assert.deepEqual(h.shape, [images.length, model.encoder.featureDim], "h: one row per image");
assert.deepEqual(z.shape, [images.length, cfg.model.head.out], "z: one row per image");
const features = await h.array();
tf.dispose([h, z]);

// Inference mode: an image's features are the same alone as in the batch (here the last one).
const last = images.length - 1;
const alone = tf.tidy(() =>
  model.encoder.apply(tf.tensor4d(pixels.subarray(last * per), [1, S, S, channels]), {
    training: false,
  })
);
const [lastAlone] = await alone.array();
alone.dispose();
lastAlone.forEach((v, j) => {
  assert.ok(Math.abs(v - features[last][j]) <= 1e-4, `h[${last}][${j}] alone ${v}`);
});

const cosine = (a: number[], b: number[]) => {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((v, j) => (ab += v * b[j], aa += v * v, bb += b[j] * b[j]));
  return ab / Math.sqrt(aa * bb);
};
console.log(
  `run ${flags.run} at step ${step}: encoder ${cfg.model.encoder}, view ${S}x${S}x${channels}`,
);
console.log(
  `features h: ${images.length} x ${model.encoder.featureDim}, projections z: ${images.length} x ${cfg.model.head.out}`,
);
features.forEach((row, i) => {
  const head = row.slice(0, 4).map((v) => v.toFixed(5)).join(" ");
  console.log(
    `${images[i].key}: h[0..3] ${head}  cos(h, h_0) ${cosine(row, features[0]).toFixed(4)}`,
  );
});

model.dispose();
assert.equal(tf.memory().numTensors, tensorsAtStart, "no tensor left behind");
