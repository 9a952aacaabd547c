/**
 * When to checkpoint: every N optimizer steps, every N seconds of training, or both (whichever
 * comes first), and always at the end. `train.checkpointEvery` in a pipeline file says it with a
 * unit (`500 steps`, `2 epochs`, `10 min`; a bare number is epochs, its meaning before units
 * existed), parsed by {@link parseCheckpointEvery}.
 */

/** Units `train.checkpointEvery` accepts, in a pattern for the config schema. */
export const CHECKPOINT_EVERY_PATTERN: RegExp =
  /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(steps?|epochs?|s|sec|seconds?|min|minutes?|h|hours?)?\s*$/i;

/** What {@link CHECKPOINT_EVERY_PATTERN} allows, in words (for config errors). */
export const CHECKPOINT_EVERY_HINT =
  "a number and a unit: steps, epochs, s, min or h, e.g. '500 steps', '10 min'; a bare " +
  "number is epochs";

/**
 * A parsed `train.checkpointEvery`: how many of which unit (times are in seconds).
 */
export interface CheckpointEvery {
  value: number;
  unit: "steps" | "epochs" | "seconds";
}

const SECONDS: Record<string, number> = { s: 1, sec: 1, second: 1, seconds: 1 };
for (const u of ["min", "minute", "minutes"]) SECONDS[u] = 60;
for (const u of ["h", "hour", "hours"]) SECONDS[u] = 3600;

/**
 * Parses `500 steps`, `2 epochs`, `30 s`, `10 min`, `1 h` (a bare number or numeric string is
 * epochs). Throws a `RangeError` for anything else, or for a value that is not above 0.
 */
export function parseCheckpointEvery(text: string | number): CheckpointEvery {
  const m = CHECKPOINT_EVERY_PATTERN.exec(String(text));
  const value = m ? Number(m[1]) : NaN;
  if (!m || !(value > 0)) {
    throw new RangeError(
      `checkpointEvery '${text}' is not allowed: expected ${CHECKPOINT_EVERY_HINT}, above 0`,
    );
  }
  const unit = (m[2] ?? "epochs").toLowerCase();
  if (unit.startsWith("step")) return { value, unit: "steps" };
  if (unit.startsWith("epoch")) return { value, unit: "epochs" };
  return { value: value * SECONDS[unit], unit: "seconds" };
}

/**
 * Options of {@link CheckpointPolicy}: either cadence, or both.
 */
export interface CheckpointCadence {
  /** Every this many optimizer steps (counted from step 0, so the same steps after a resume). */
  everySteps?: number;
  /** Every this many seconds of training, counted from the start (or resume) or last save. */
  everySeconds?: number;
  /** Milliseconds of a monotonic clock (default `performance.now`; tests pass their own). */
  now?: () => number;
}

/**
 * Decides, before each optimizer step, whether a checkpoint follows it.
 */
export class CheckpointPolicy {
  readonly #everySteps: number | undefined;
  readonly #everyMs: number | undefined;
  readonly #now: () => number;
  #last: number;

  constructor(cadence: CheckpointCadence = {}) {
    const { everySteps, everySeconds } = cadence;
    if (everySteps !== undefined && !(Number.isInteger(everySteps) && everySteps >= 1)) {
      throw new RangeError(`checkpoint every ${everySteps} steps: expected an integer >= 1`);
    }
    if (everySeconds !== undefined && !(everySeconds > 0)) {
      throw new RangeError(`checkpoint every ${everySeconds} seconds: expected a time above 0`);
    }
    this.#everySteps = everySteps;
    this.#everyMs = everySeconds === undefined ? undefined : everySeconds * 1000;
    this.#now = cadence.now ?? (() => performance.now());
    this.#last = this.#now();
  }

  /** Whether a checkpoint is due once optimizer step `step` (1-based) is applied. */
  due(step: number): boolean {
    if (this.#everySteps !== undefined && step % this.#everySteps === 0) return true;
    return this.#everyMs !== undefined && this.#now() - this.#last >= this.#everyMs;
  }

  /** A checkpoint was written: the time cadence counts from now. */
  saved(): void {
    this.#last = this.#now();
  }
}
