/**
 * TensorFlow.js model files on disk: `model.json` plus binary weight shards, the layout
 * `tensorflowjs_converter` writes and `tf.loadLayersModel(url)` reads over HTTP; and loading such a
 * folder from a local path in Deno.
 */
import * as tf from "@tensorflow/tfjs";

/** Shard size of the converter's default (4 MiB). */
export const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * What {@link saveModelFolder} wrote.
 *
 * @example
 * ```ts
 * const { modelJson, shards, bytes } = await saveModelFolder(model, "out/tfjs");
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
 * @example
 * ```ts
 * await saveModelFolder(model, "runs/x/tfjs", { normalization: { mean: [0.286], std: [0.353] } });
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
 * @example
 * ```ts
 * const model = await loadLayersModelFrom("runs/x/tfjs");
 * const meta = model.getUserDefinedMetadata();
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
