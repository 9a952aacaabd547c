/**
 * A run directory without training: the fixture's config (or a variant) and a checkpoint of a
 * model whose every parameter, BN running statistics included, is random, so that exports and
 * embeddings are checked on weights that matter.
 */
import * as tf from "@tensorflow/tfjs";
import { configToYaml } from "../../src/config/load.ts";
import type { PipelineConfig } from "../../src/config/pipeline.ts";
import { createModel, type SimCLRModel } from "../../src/model/simclr_model.ts";
import { modelConfigOf } from "../../src/pipeline/build.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { saveCheckpoint } from "../../src/train/_checkpoint_codec.ts";
import { Lars } from "../../src/train/lars.ts";
import { fixtureConfig, writeFixtureDataset } from "./_fixture.ts";

/** Sets every parameter of `model` to random values (running variances in [0.5, 2]). */
export function randomizeModel(model: SimCLRModel, seed = 1): void {
  let s = seed;
  for (const p of model.store.all()) {
    if (p.name.endsWith("num_batches_tracked")) continue;
    const v = tf.tidy(() =>
      p.name.endsWith("running_var")
        ? tf.randomUniform(p.variable.shape, 0.5, 2, "float32", s++)
        : tf.randomNormal(
          p.variable.shape,
          0,
          p.name.endsWith("running_mean") ? 0.2 : 0.3,
          "float32",
          s++,
        )
    );
    p.variable.assign(v);
    v.dispose();
  }
}

/** A fixture run: its folder, config, and the dataset folder it names. */
export interface FixtureRun {
  runDir: string;
  dataDir: string;
  cfg: PipelineConfig;
}

/**
 * Writes a run directory (config.yaml, checkpoint at step 7) for the fixture pipeline with
 * `overrides`; the dataset is the fixture's IDX folder (`dataDir`, written when not given).
 */
export async function writeFixtureRun(
  overrides: string[] = [],
  dataDir?: string,
): Promise<FixtureRun> {
  const data = dataDir ?? await writeFixtureDataset(40, 24);
  const runDir = await Deno.makeTempDir({ prefix: "simclr-run-" });
  const cfg = fixtureConfig(data, runDir, overrides);
  await Deno.writeTextFile(runFiles(runDir).config, configToYaml(cfg));
  const model = createModel(modelConfigOf(cfg));
  try {
    randomizeModel(model);
    await saveCheckpoint(runFiles(runDir).checkpoint, {
      model,
      optimizer: new Lars(),
      state: { step: 7, images: 0, microStep: 6, epoch: 0 },
    });
  } finally {
    model.dispose();
  }
  return { runDir, dataDir: data, cfg };
}
