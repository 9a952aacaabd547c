/** Opening a finished (or stopped) run: its config, then its trained model. */
import { loadPipeline } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { assignStoreTensors } from "../model/_store_tensors.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { modelConfigOf } from "./build.ts";
import { runFiles } from "./run_dir.ts";

/** A run's resolved config, with `overrides` applied. */
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

/** The run's model at its last checkpoint (start the backend first). */
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
