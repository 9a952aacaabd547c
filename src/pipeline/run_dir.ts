/**
 * Run directories: the files of one ({@link runFiles}), creating a new one so that no two runs
 * ever share it ({@link createRunDir}, {@link claimRunDir}), and what a resume points at
 * ({@link resumeTarget}: a run directory, or one of its checkpoint files).
 */
import { dirname } from "node:path";

/**
 * The files of one run directory, as {@link runFiles} names them.
 *
 * @example Reading a run's files
 * ```ts
 * import { type RunFiles, runFiles } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const files: RunFiles = runFiles("runs/x");
 * assert.equal(files.config, "runs/x/config.yaml");
 * assert.equal(files.metrics, "runs/x/metrics.jsonl");
 * assert.equal(files.tfjs, "runs/x/tfjs");
 * ```
 */
export interface RunFiles {
  /** The resolved pipeline config (rewritten with what a resume changed, noted at its top). */
  config: string;
  /** One JSON record per logged step. */
  metrics: string;
  /** The last checkpoint (model, optimizer, schedule and data position). */
  checkpoint: string;
  /** Every sample skipped under `data.onError: skip` (training and evaluation), one per line. */
  skipped: string;
  /** Evaluation results. */
  eval: string;
  /** The self-contained HTML report. */
  report: string;
  /** The exported encoder (torchvision names). */
  encoder: string;
  /** The encoder as a TensorFlow.js LayersModel (a folder: model.json + weight shards). */
  tfjs: string;
}

/**
 * Paths of the files a run writes under `runDir` (config, metrics, checkpoint, skipped
 * samples, evaluation, report, exported encoder).
 *
 * @param runDir The run directory.
 * @returns Their paths (nothing is read or created).
 *
 * @example Where a run's report is
 * ```ts
 * import { runFiles } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(runFiles("runs/x").report, "runs/x/report.html");
 * assert.equal(runFiles("runs/x").checkpoint, "runs/x/checkpoint.safetensors");
 * ```
 */
export function runFiles(runDir: string): RunFiles {
  return {
    config: `${runDir}/config.yaml`,
    metrics: `${runDir}/metrics.jsonl`,
    checkpoint: `${runDir}/checkpoint.safetensors`,
    skipped: `${runDir}/skipped.jsonl`,
    eval: `${runDir}/eval.json`,
    report: `${runDir}/report.html`,
    encoder: `${runDir}/encoder.safetensors`,
    tfjs: `${runDir}/tfjs`,
  };
}

/**
 * Creates a new run directory `<outDir>/<name>-<YYYYMMDD-HHMMSS>` (UTC) exclusively: when
 * another run took that name (two runs started in the same second), `-2`, `-3`, ... is added,
 * so each run gets its own. Returns its path.
 */
export async function createRunDir(
  outDir: string,
  name: string,
  now = new Date(),
): Promise<string> {
  const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const base = `${outDir.replace(/\/+$/, "") || "."}/${name}-${t}`;
  await Deno.mkdir(dirname(base), { recursive: true });
  for (let n = 1;; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      await Deno.mkdir(dir); // not recursive: fails when the directory exists
      return dir;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists) || n >= 10000) throw err;
    }
  }
}

/**
 * Takes `dir` for a new run: creates it (and its parents), or accepts an existing one that
 * holds no run (no config, metrics or checkpoint; another run's files would be mixed with
 * this one's). Returns whether it created the directory (so a failed start can remove it).
 */
export async function claimRunDir(dir: string): Promise<boolean> {
  await Deno.mkdir(dirname(dir), { recursive: true });
  try {
    await Deno.mkdir(dir);
    return true;
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  const files = runFiles(dir);
  for (const f of [files.config, files.metrics, files.checkpoint]) {
    if (await pathExists(f)) {
      throw new Error(
        `${dir} already holds a run (${f.slice(dir.length + 1)}): continue it with --resume ` +
          `(resume: true), or give a new run another directory`,
      );
    }
  }
  return false;
}

/**
 * What a resume points at: a run directory (its latest checkpoint), or a checkpoint file in one
 * (e.g. `runs/x/checkpoint-step000120.safetensors`, to go back to an earlier checkpoint).
 *
 * @param path A run directory or a checkpoint file in one.
 * @returns The run directory and the checkpoint to continue from.
 * @throws {Error} when nothing is at `path`.
 *
 * @example A run directory or one of its checkpoints
 * ```ts
 * import { resumeTarget } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const run = await Deno.makeTempDir();
 * try {
 *   const early = `${run}/checkpoint-step000120.safetensors`;
 *   await Deno.writeFile(early, new Uint8Array(0));
 *   assert.deepEqual(await resumeTarget(`${run}/`), {
 *     runDir: run, checkpoint: `${run}/checkpoint.safetensors`,
 *   });
 *   assert.deepEqual(await resumeTarget(early), { runDir: run, checkpoint: early });
 *   await assert.rejects(resumeTarget(`${run}/nothing`), /no such run directory/);
 * } finally {
 *   await Deno.remove(run, { recursive: true });
 * }
 * ```
 */
export async function resumeTarget(path: string): Promise<{ runDir: string; checkpoint: string }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new Error(
      `cannot resume ${path}: no such run directory or checkpoint file; pass the folder that ` +
        `'deno task pretrain' printed`,
    );
  }
  if (info.isFile) return { runDir: dirname(path), checkpoint: path };
  const runDir = path.replace(/\/+$/, "") || "/";
  return { runDir, checkpoint: runFiles(runDir).checkpoint };
}

/**
 * Whether anything (a file, folder or link) is at `path`.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
