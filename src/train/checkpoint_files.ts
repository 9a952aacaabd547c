/**
 * The checkpoint files of one training run: the latest at `path` (what a resume reads by
 * default), and with `keep` K > 1 the last K also under numbered names beside it,
 * `<name>-step<N><ext>` (e.g. `checkpoint-step000120.safetensors`), so a damaged latest one
 * still leaves earlier ones to resume from. The latest is a hard link to the newest numbered
 * file (a copy where the file system has no hard links), so keeping K costs K files, not K+1.
 *
 * Order of a save: the numbered file is written atomically, then linked to a temporary name
 * and renamed over `path`, then numbered files beyond K are removed. A kill at any moment
 * leaves `path` a complete checkpoint.
 */
import { atomicTempPath } from "../streams/_atomic_temp_path.ts";
import { FileWriteError, writeFileAtomic } from "../streams/atomic_write.ts";

/**
 * A numbered checkpoint file and the optimizer step it holds.
 *
 * @example
 * ```ts
 * const kept: KeptCheckpoint = { path: "runs/x/checkpoint-step000120.safetensors", step: 120 };
 * ```
 */
export interface KeptCheckpoint {
  path: string;
  step: number;
}

/**
 * The numbered name of the checkpoint of `step` beside `path`.
 *
 * @example
 * ```ts
 * numberedCheckpointPath("runs/x/checkpoint.safetensors", 120);
 * // "runs/x/checkpoint-step000120.safetensors"
 * ```
 */
export function numberedCheckpointPath(path: string, step: number): string {
  const { stem, ext } = split(path);
  return `${stem}-step${String(step).padStart(6, "0")}${ext}`;
}

/**
 * The numbered checkpoints beside `path`, newest (highest step) first.
 *
 * @example
 * ```ts
 * const [newest] = await keptCheckpoints("runs/x/checkpoint.safetensors");
 * ```
 */
export async function keptCheckpoints(path: string): Promise<KeptCheckpoint[]> {
  const { dir, base, ext } = split(path);
  const re = new RegExp(`^${escape(base)}-step(\\d+)${escape(ext)}$`);
  const out: KeptCheckpoint[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = e.isFile ? re.exec(e.name) : null;
      if (m) out.push({ path: `${dir}/${e.name}`, step: Number(m[1]) });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort((a, b) => b.step - a.step);
}

/**
 * Writes checkpoint `bytes` of optimizer step `step` as the latest at `path`, keeping the last
 * `keep` (default 1: only `path`, overwritten). Errors name the file; no temporary file is left.
 *
 * @example
 * ```ts
 * await writeCheckpointFiles("runs/x/checkpoint.safetensors", bytes, 120, 3);
 * ```
 */
export async function writeCheckpointFiles(
  path: string,
  bytes: Uint8Array,
  step: number,
  keep = 1,
): Promise<void> {
  if (!(Number.isInteger(keep) && keep >= 1)) {
    throw new RangeError(`keep ${keep} checkpoints: expected an integer >= 1`);
  }
  if (keep === 1) {
    await writeFileAtomic(path, bytes, "checkpoint");
  } else {
    const numbered = numberedCheckpointPath(path, step);
    await writeFileAtomic(numbered, bytes, "checkpoint");
    await linkAsLatest(numbered, path, bytes);
  }
  await pruneCheckpoints(path, keep === 1 ? 0 : keep);
}

/**
 * Makes the numbered checkpoint `from` the latest at `path` again (after resuming from it), and
 * removes numbered checkpoints of later steps than `step`: they belong to the run's abandoned
 * continuation, which training from `from` writes again.
 *
 * @example
 * ```ts
 * const latest = "runs/x/checkpoint.safetensors";
 * await rewindCheckpoints(latest, "runs/x/checkpoint-step000100.safetensors", 100);
 * ```
 */
export async function rewindCheckpoints(
  path: string,
  from: string,
  step: number,
): Promise<KeptCheckpoint[]> {
  const later = (await keptCheckpoints(path)).filter((k) => k.step > step);
  if (from !== path) await linkAsLatest(from, path);
  for (const k of later) await Deno.remove(k.path).catch(() => {});
  return later;
}

/** Hard-links `numbered` over `path` atomically (a copy where links are not possible). */
async function linkAsLatest(numbered: string, path: string, bytes?: Uint8Array): Promise<void> {
  const tmp = atomicTempPath(path);
  await Deno.remove(tmp).catch(() => {});
  try {
    await Deno.link(numbered, tmp);
  } catch {
    // no hard links here (FAT, some network file systems): write a copy instead
    await writeFileAtomic(path, bytes ?? await Deno.readFile(numbered), "checkpoint");
    return;
  }
  try {
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new FileWriteError(path, err, "checkpoint");
  }
}

/** Removes numbered checkpoints beyond the newest `keep`. */
async function pruneCheckpoints(path: string, keep: number): Promise<void> {
  for (const k of (await keptCheckpoints(path)).slice(keep)) {
    await Deno.remove(k.path).catch(() => {});
  }
}

function split(path: string): { dir: string; base: string; stem: string; ext: string } {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  const base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  return { dir, base, stem: path.slice(0, path.length - ext.length), ext };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
