/** Opening a finished (or stopped) run: its config, then its trained model. */
import { loadPipeline } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { assignStoreTensors } from "../model/_store_tensors.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { modelConfigOf } from "./build.ts";
import { runFiles } from "./run_dir.ts";

/**
 * A run's resolved config (its `config.yaml`), with `overrides` applied.
 *
 * @param runDir The run directory.
 * @param overrides `key=value` overrides (`--set`).
 * @returns The config.
 * @throws {Error} when `runDir` holds no `config.yaml`.
 *
 * @example Reading a run's config
 * ```ts
 * import { configToYaml, parsePipeline } from "@simclr/streams/config";
 * import { loadRunConfig, runFiles } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const run = await Deno.makeTempDir();
 * try {
 *   const saved = configToYaml(parsePipeline("optim: { epochs: 9 }\n"));
 *   await Deno.writeTextFile(runFiles(run).config, saved);
 *   const cfg = await loadRunConfig(run, ["eval.knn.k=5"]);
 *   assert.equal(cfg.optim.epochs, 9);
 *   assert.equal(cfg.eval.knn.k, 5);
 *   await assert.rejects(loadRunConfig(`${run}/nothing`), /not a run directory/);
 * } finally {
 *   await Deno.remove(run, { recursive: true });
 * }
 * ```
 */
export async function loadRunConfig(
  runDir: string,
  overrides: readonly string[] = [],
): Promise<PipelineConfig> {
  const files = runFiles(runDir);
  try {
    await Deno.stat(files.config);
  } catch {
    throw new Error(
      `${runDir} is not a run directory (no config.yaml); pass the folder that ` +
        `'deno task pretrain' printed`,
    );
  }
  return await loadPipeline(files.config, { overrides });
}

/**
 * The run's model at its last checkpoint. Start the backend first (`startBackend` of
 * `@simclr/streams/backend`; `pretrain` leaves its backend started); dispose the model when done.
 *
 * @param runDir The run directory.
 * @param cfg The run's config ({@link loadRunConfig}).
 * @returns The model and the optimizer step its checkpoint holds.
 *
 * @example Loading a trained model
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { loadRunConfig, loadRunModel, pretrain } from "@simclr/streams/pipeline";
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
 *   const { model, step } = await loadRunModel(runDir, await loadRunConfig(runDir));
 *   assert.equal(step, 2);
 *   assert.equal(model.encoder.featureDim, 128); // the small encoder's features
 *   model.dispose();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function loadRunModel(
  runDir: string,
  cfg: PipelineConfig,
): Promise<{ model: SimCLRModel; step: number }> {
  const files = runFiles(runDir);
  const ck = await loadCheckpoint(files.checkpoint);
  const model = createModel({ ...modelConfigOf(cfg), ...ck.meta.modelConfig });
  assignStoreTensors(model.store, ck.model, files.checkpoint);
  return { model, step: ck.meta.train.step };
}
