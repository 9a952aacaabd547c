/**
 * Resuming a run, in three parts: the config check (what may change, see `resume_changes.ts`),
 * the checkpoint (a damaged one is refused naming the earlier checkpoints the run kept), and
 * bringing the run directory back to the checkpoint's step: metrics rows written after it are
 * cut, numbered checkpoints of later steps removed, a chosen earlier checkpoint made the latest,
 * and the config changes noted at the top of `config.yaml`.
 */
import { configToYaml, loadPipeline } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import type { Checkpoint } from "../train/checkpoint.ts";
import { CorruptCheckpointError } from "../train/checkpoint_error.ts";
import { keptCheckpoints, rewindCheckpoints } from "../train/checkpoint_files.ts";
import { truncateMetrics } from "../train/_metrics_file.ts";
import { assertResumable, type ConfigChange, configChanges, resumeNote } from "./resume_changes.ts";
import { pathExists, type RunFiles } from "./run_dir.ts";

/**
 * What `cfg` changes in the run's saved `config.yaml`; throws when the run has none, or when a
 * change is one a resume may not make.
 */
export async function checkResumeConfig(
  runDir: string,
  files: RunFiles,
  cfg: PipelineConfig,
): Promise<ConfigChange[]> {
  let saved: PipelineConfig;
  try {
    await Deno.stat(files.config);
  } catch {
    throw new Error(
      `cannot resume ${runDir}: it holds no config.yaml, so it is not a run directory (or its ` +
        `start failed before training); pass the folder that 'deno task pretrain' printed`,
    );
  }
  try {
    saved = await loadPipeline(files.config);
  } catch (err) {
    throw new Error(`cannot resume ${runDir}: ${(err as Error).message}`, { cause: err });
  }
  const changes = configChanges(saved, cfg);
  assertResumable(runDir, changes);
  return changes;
}

/**
 * Loads the checkpoint to resume from with `load`; when it is damaged or missing, the error
 * names the earlier checkpoints the run kept and how to resume from one.
 */
export async function loadResumeCheckpoint(
  files: RunFiles,
  path: string,
  load: (path: string) => Promise<Checkpoint>,
): Promise<Checkpoint> {
  try {
    return await load(path);
  } catch (err) {
    const earlier = await earlierCheckpoints(files, path);
    const corrupt = err instanceof CorruptCheckpointError;
    const missing = !corrupt && !await pathExists(path);
    if (!corrupt && !missing) throw err;
    const what = corrupt
      ? (err as Error).message
      : `cannot resume from ${path}: no such checkpoint` +
        (path === files.checkpoint ? " (the run stopped before its first checkpoint?)" : "");
    const next = earlier.length
      ? `. Earlier checkpoints of this run, newest first: ${
        earlier.map((k) => `${k.path} (step ${k.step})`).join(", ")
      }; resume from one with: deno task pretrain --resume ${earlier[0].path}`
      : `. The run kept no earlier checkpoint (train.keepCheckpoints); start it again`;
    throw new Error(what + next, { cause: err });
  }
}

/**
 * After restoring `checkpoint` (from `from`) at `step` on rank 0: later checkpoints removed and
 * `from` made the latest, metrics rows after `step` cut, config changes noted and saved.
 * Returns lines for the log.
 */
export async function rewindRunDir(
  files: RunFiles,
  from: string,
  step: number,
  cfg: PipelineConfig,
  changes: readonly ConfigChange[],
): Promise<string[]> {
  const lines: string[] = [];
  const later = await rewindCheckpoints(files.checkpoint, from, step);
  if (from !== files.checkpoint) lines.push(`${from} is now the latest checkpoint`);
  if (later.length) {
    lines.push(
      `removed ${later.length} checkpoint${later.length === 1 ? "" : "s"} after step ${step} ` +
        `(${later.map((k) => k.path).join(", ")}): training from step ${step} writes them again`,
    );
  }
  const dropped = await truncateMetrics(files.metrics, step);
  if (dropped) {
    lines.push(`${files.metrics}: dropped ${dropped} lines written after step ${step}`);
  }
  if (changes.length) {
    const note = resumeNote(step, changes);
    const header = await configHeader(files.config);
    await writeFileAtomic(files.config, configToYaml(cfg, [...header, note]), "config");
    lines.push(`${note} (noted in ${files.config})`);
  }
  return lines;
}

/** The `#` comment lines at the top of a config file, without the `# `. */
async function configHeader(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const line of (await Deno.readTextFile(path)).split("\n")) {
    if (!line.startsWith("#")) break;
    out.push(line.replace(/^# ?/, ""));
  }
  return out;
}

/** The run's numbered checkpoints other than `path` (and its hard links), newest first. */
async function earlierCheckpoints(files: RunFiles, path: string) {
  const ino = await Deno.stat(path).then((s) => s.ino, () => undefined);
  const out = [];
  for (const k of await keptCheckpoints(files.checkpoint)) {
    if (k.path === path) continue;
    const same = ino !== undefined && ino !== null &&
      await Deno.stat(k.path).then((s) => s.ino === ino, () => false);
    if (!same) out.push(k);
  }
  return out;
}
