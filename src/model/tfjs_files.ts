/**
 * TensorFlow.js model files on disk: `model.json` plus binary weight shards, the layout
 * `tensorflowjs_converter` writes and `tf.loadLayersModel(url)` reads over HTTP; and loading such a
 * folder from a local path in Deno.
 */
import * as tf from "@tensorflow/tfjs";

/** Shard size of the converter's default (4 MiB). */
const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * What {@link saveModelFolder} wrote: the paths of `model.json` and the shards, and the weight
 * bytes.
 *
 * @example Shards of at most 256 bytes
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { type SavedModelFolder, saveModelFolder } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 10 })] });
 * const saved: SavedModelFolder = await saveModelFolder(model, dir, undefined, 256);
 * assert.equal(saved.bytes, (10 * 10 + 10) * 4);
 * assert.equal(saved.shards.length, 2);
 * assert.equal(saved.modelJson, `${dir}/model.json`);
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface SavedModelFolder {
  /** Path of `model.json`. */
  modelJson: string;
  /** Paths of the weight shards, in order. */
  shards: string[];
  /** Weight bytes in all. */
  bytes: number;
}

/**
 * Saves `model` into `dir` as `model.json` + `group1-shardNofM.bin` shards of at most `shardBytes`
 * (one weight group: the loader joins the shards and slices the weights by their byte offsets),
 * with `metadata` as the model's `userDefinedMetadata`. Existing shards of an earlier save are
 * removed first, so the folder holds exactly one model.
 *
 * @param model The LayersModel, e.g. {@link encoderLayersModel}'s.
 * @param dir The folder (created when missing).
 * @param metadata Stored as the model's `userDefinedMetadata` (e.g. the input normalization).
 * @param shardBytes The largest shard (default 4 MiB, the converter's).
 * @returns What was written.
 *
 * @example Save an encoder with its input normalization and load it back
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import {
 *   encoderLayersModel,
 *   loadLayersModelFrom,
 *   saveModelFolder,
 *   smallNet,
 * } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const encoder = smallNet({ inChannels: 1, stemWidth: 2, widths: [] });
 * const model = encoderLayersModel(encoder, 4);
 * await saveModelFolder(model, dir, { normalization: { mean: [0.286], std: [0.353] } });
 * const back = await loadLayersModelFrom(dir);
 * assert.deepEqual(back.getUserDefinedMetadata(), { normalization: { mean: [0.286], std: [0.353] } });
 * tf.dispose([model, back].map((m) => m.getWeights()).flat());
 * encoder.store.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModelFolder(
  model: tf.LayersModel,
  dir: string,
  metadata?: Record<string, unknown>,
  shardBytes = SHARD_BYTES,
): Promise<SavedModelFolder> {
  await Deno.mkdir(dir, { recursive: true });
  for await (const e of Deno.readDir(dir)) {
    if (/^group\d+-shard\d+of\d+\.bin$/.test(e.name)) await Deno.remove(`${dir}/${e.name}`);
  }
  if (metadata) model.setUserDefinedMetadata(metadata);
  let saved: SavedModelFolder | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData ?? []));
    const count = Math.max(1, Math.ceil(data.length / shardBytes));
    const names = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
    for (let i = 0; i < count; i++) {
      await Deno.writeFile(
        `${dir}/${names[i]}`,
        data.subarray(i * shardBytes, (i + 1) * shardBytes),
      );
    }
    const json: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology!,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: names, weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    saved = {
      modelJson: `${dir}/model.json`,
      shards: names.map((n) => `${dir}/${n}`),
      bytes: data.length,
    };
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: "JSON",
        weightDataBytes: data.length,
      },
    };
  }));
  return saved!;
}

/**
 * Loads a LayersModel from a local folder or `model.json` path in Deno, through
 * `tf.loadLayersModel` with TensorFlow.js's HTTP loader on a `file://` URL (Deno's `fetch` reads
 * files). URLs (`http://...`) are passed on as they are.
 *
 * @param pathOrUrl A folder holding `model.json`, a `model.json` path, a `file://` or an
 * `http(s)://` URL.
 * @returns The model, with its weights and `userDefinedMetadata`.
 *
 * @example The loaded model predicts what the saved one did
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { loadLayersModelFrom, saveModelFolder } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
 * await saveModelFolder(model, dir);
 * const back = await loadLayersModelFrom(`${dir}/model.json`);
 * const x = tf.tensor2d([[1, 2, 3]]);
 * const [a, b] = [model.predict(x), back.predict(x)] as tf.Tensor[];
 * assert.deepEqual(await b.data(), await a.data());
 * tf.dispose([x, a, b]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadLayersModelFrom(pathOrUrl: string): Promise<tf.LayersModel> {
  if (/^https?:\/\//.test(pathOrUrl)) return await tf.loadLayersModel(pathOrUrl);
  let path = pathOrUrl.startsWith("file://") ? new URL(pathOrUrl).pathname : pathOrUrl;
  if (!path.endsWith(".json")) path = `${path.replace(/\/+$/, "")}/model.json`;
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const url = new URL(`file://${abs}`).href;
  return await tf.loadLayersModel(tf.io.http(url));
}
