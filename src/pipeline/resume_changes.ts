/**
 * What a resume may change in a run's config. A resumed run must continue the stopped one:
 * the same model, data (and its order), augmentation, loss, optimizer and LR schedule, or the
 * checkpoint's state no longer fits (the LR would jump, the data order would change). What only
 * changes how the run is executed or watched (backend, threads, workers, logging, checkpoint
 * cadence, the stop point, the bad-input policy and limits, evaluation) may change; the
 * changes are noted at the top of `config.yaml`, which is rewritten with the new values.
 */
import type { PipelineConfig } from "../config/pipeline.ts";

/**
 * Keys a resume may change (a trailing `.` allows a whole section): how a run executes or is
 * watched, never what it trains. `pretrain(cfg, { resume: true })` refuses any other change.
 *
 * @example Which keys a resume may change
 * ```ts
 * import { RESUME_CHANGEABLE } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.ok(RESUME_CHANGEABLE.includes("train.backend"));
 * assert.ok(RESUME_CHANGEABLE.includes("eval.")); // the whole eval section
 * assert.ok(!RESUME_CHANGEABLE.includes("optim.batchSize"));
 * ```
 */
export const RESUME_CHANGEABLE: readonly string[] = [
  "train.backend",
  "train.threads",
  "train.logEvery",
  "train.checkpointEvery",
  "train.keepCheckpoints",
  "train.maxSteps",
  "data.workers",
  "data.prefetch",
  "data.onError",
  "data.maxPixels",
  "data.maxFileBytes",
  "dist.mode",
  "eval.",
  "finetune.", // read by deno task finetune only
];

/**
 * {@link RESUME_CHANGEABLE} in words, e.g. `train.backend, ..., eval.*`.
 */
export function resumeChangeableKeys(): string {
  return RESUME_CHANGEABLE.map((k) => k.endsWith(".") ? `${k}*` : k).join(", ");
}

/**
 * One changed leaf of the config: its dotted key and its values (undefined: unset).
 */
export interface ConfigChange {
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * The leaves in which `now` differs from `saved`, in key order.
 */
export function configChanges(saved: PipelineConfig, now: PipelineConfig): ConfigChange[] {
  const a = flatten(saved), b = flatten(now);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .map((key) => ({ key, from: a.get(key), to: b.get(key) }));
}

/**
 * Whether a resume may change `key` (a dotted config path) under {@link RESUME_CHANGEABLE}.
 *
 * @param key A dotted leaf key, e.g. `data.workers`.
 * @returns True when the key may differ from the run's `config.yaml` on resume.
 *
 * @example Execution settings may change, training settings may not
 * ```ts
 * import { resumeMayChange } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resumeMayChange("data.workers"), true);
 * assert.equal(resumeMayChange("eval.knn.k"), true);
 * assert.equal(resumeMayChange("optim.baseLr"), false);
 * ```
 */
export function resumeMayChange(key: string): boolean {
  return RESUME_CHANGEABLE.some((k) => k.endsWith(".") ? key.startsWith(k) : key === k);
}

/**
 * Throws when `changes` hold one a resume may not make, naming each, why, and what to do.
 */
export function assertResumable(runDir: string, changes: readonly ConfigChange[]): void {
  const refused = changes.filter((c) => !resumeMayChange(c.key));
  if (refused.length === 0) return;
  const list = refused.map(describeChange).join(", ");
  const sets = refused.map((c) => `--set ${c.key}=${c.to === undefined ? "~" : show(c.to)}`);
  throw new RangeError(
    `cannot resume ${runDir} with ${list}: ${refused.length > 1 ? "these change" : "it changes"} ` +
      `what is trained (model, data or its order, augmentation, loss, optimizer or LR ` +
      `schedule), so the run would not continue from its checkpoint. A resume may change only ` +
      `${resumeChangeableKeys()}. To train ` +
      `with the new settings, start a new run: deno task pretrain --config ${runDir}/config.yaml ` +
      sets.join(" "),
  );
}

/**
 * One line for the log and the top of `config.yaml`: what a resume at `step` changed.
 */
export function resumeNote(step: number, changes: readonly ConfigChange[], now = new Date()) {
  return `resumed at step ${step} on ${now.toISOString()}: ${
    changes.map(describeChange).join(", ")
  }`;
}

function describeChange(c: ConfigChange): string {
  return `${c.key} ${show(c.from)} -> ${show(c.to)}`;
}

function show(v: unknown): string {
  return v === undefined ? "(unset)" : typeof v === "string" ? v : JSON.stringify(v);
}

function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()) {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, value);
  }
  return out;
}
