/**
 * What several ranks add to a run, behind one object: {@link ranksOf} gives a do-nothing
 * {@link Ranks} for one process, and for several the collectives that keep them together (same
 * settings, rank 0's run directory and checkpoint, one vote per micro-batch on stopping,
 * lockstep, weights checks, the kNN monitor on rank 0 alone). The training loop
 * (`train_loop.ts`) reads the same for one rank and many.
 */
import type { Communicator } from "../distributed/communicator.ts";
import { assertSameConfig } from "../distributed/config_hash.ts";
import { broadcastBytes, broadcastText } from "../distributed/broadcast_bytes.ts";
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { AppliedSteps } from "../train/applied_steps.ts";
import { type Checkpoint, loadCheckpoint } from "../train/checkpoint.ts";
import { decodeCheckpoint } from "../train/_checkpoint_codec.ts";
import {
  allReduceGradientsStage,
  assertSameWeights,
  distTrainingHooks,
} from "../train/dist_hooks.ts";
import type { StepGradients } from "../train/step_gradients.ts";
import type { TrainingHooks } from "../train/training_hooks.ts";

/** Why the ranks end the loop early: asked to stop, or a rank ran out of data. */
export type EarlyEnd = "stopped" | "exhausted";

/** What the ranks decided on a micro-batch, and where each of them read up to. */
export interface Vote {
  /** Set when the loop ends before this micro-batch. */
  end: EarlyEnd | undefined;
  /**
   * Every rank's `Batch.nextPosition` of this micro-batch, in rank order (-1 where a rank has
   * none): where each continues the epoch after it, for the checkpoint's data position.
   */
  positions: number[];
}

/** The ranks of a run, as the training loop and its set-up see them. */
export interface Ranks {
  /** Which communicator runs (for logs). */
  readonly kind: Communicator["kind"];
  readonly rank: number;
  readonly size: number;
  /** Rank 0: the one that writes the run directory, logs and evaluates. */
  readonly root: boolean;
  /** Reduce batch-norm statistics across ranks (`dist.globalBn`; off for one process). */
  readonly globalBn: boolean;
  /** Throws on every rank unless all of them were started with the same `settings`. */
  checkSameSettings(settings: unknown): Promise<void>;
  /** Rank 0's run directory on every rank. */
  shareRunDir(runDir: string | undefined): Promise<string>;
  /** The checkpoint at `path`, read by rank 0 (the others need no access to its disk). */
  loadCheckpoint(path: string): Promise<Checkpoint>;
  /** Forward-pass hooks (gathered NT-Xent candidates, global BN); start the backend first. */
  trainingHooks(): TrainingHooks | undefined;
  /** Stages between accumulation and the optimizer: the gradient all-reduce. */
  gradientStages(): TransformStream<StepGradients, StepGradients>[];
  /**
   * One vote of every rank, after reading micro-batch `microStep`: end the loop when a rank was
   * asked to stop (at the first micro-batch of a step, so that no partial accumulation group is
   * applied and a resume continues the groups exactly) or ran out of data. The same collective
   * gathers each rank's reading `position` (the micro-batch's `nextPosition`, -1 for none).
   */
  vote(microStep: number, asked: boolean, exhausted: boolean, position?: number): Promise<Vote>;
  /** Runs `fn` on rank 0 while the others wait (the kNN monitor). */
  onRoot(fn: () => Promise<void>): Promise<void>;
  /**
   * After micro-batch `microStep` was written to the trainer: several ranks wait for the last
   * micro-batch of a step to be applied before the next step's collectives (lockstep), and
   * compare their weights every `checkWeightsEvery` steps.
   */
  written(microStep: number, applied: AppliedSteps, model: SimCLRModel): Promise<void>;
  /** After training: the last weights check. */
  finish(applied: AppliedSteps, model: SimCLRModel): Promise<void>;
}

/** Options of {@link ranksOf}. */
export interface RanksOptions {
  /** Micro-batches per optimizer step. */
  accumulate: number;
  /** Reduce batch-norm statistics across ranks (default: with more than one rank). */
  globalBn?: boolean;
  /** With several ranks: compare a checksum of the weights every N steps (default 100). */
  checkWeightsEvery?: number;
}

/** The {@link Ranks} of `comm`: do-nothing for one process, collective for several. */
export function ranksOf(comm: Communicator, options: RanksOptions): Ranks {
  return comm.size === 1 ? oneRank(options.accumulate) : new SeveralRanks(comm, options);
}

function oneRank(accumulate: number): Ranks {
  return {
    kind: "single",
    rank: 0,
    size: 1,
    root: true,
    globalBn: false,
    checkSameSettings: () => Promise.resolve(),
    shareRunDir: (runDir) => Promise.resolve(runDir!),
    loadCheckpoint,
    trainingHooks: () => undefined,
    gradientStages: () => [],
    // a stop asked inside an accumulation group waits for the group's end, as several ranks do
    vote: (microStep, asked, exhausted, position = -1) => {
      const stop = asked && microStep % accumulate === 0;
      return Promise.resolve({
        end: stop ? "stopped" : exhausted ? "exhausted" : undefined,
        positions: [position],
      });
    },
    onRoot: (fn) => fn(),
    written: () => Promise.resolve(),
    finish: () => Promise.resolve(),
  };
}

class SeveralRanks implements Ranks {
  readonly kind: Communicator["kind"];
  readonly rank: number;
  readonly size: number;
  readonly root: boolean;
  readonly globalBn: boolean;
  readonly #accumulate: number;
  readonly #checkEvery: number;
  #checkedAt = -1;

  constructor(readonly comm: Communicator, options: RanksOptions) {
    ({ kind: this.kind, rank: this.rank, size: this.size } = comm);
    this.root = comm.rank === 0;
    // global BN by default: per-rank statistics let the model cheat on positives
    this.globalBn = options.globalBn ?? true;
    this.#accumulate = options.accumulate;
    this.#checkEvery = Math.max(1, options.checkWeightsEvery ?? 100);
  }

  async checkSameSettings(settings: unknown): Promise<void> {
    await assertSameConfig(this.comm, settings);
  }

  shareRunDir(runDir: string | undefined): Promise<string> {
    return broadcastText(this.comm, this.root ? runDir : undefined);
  }

  async loadCheckpoint(path: string): Promise<Checkpoint> {
    const bytes = await broadcastBytes(
      this.comm,
      this.root ? await Deno.readFile(path) : undefined,
    );
    return await decodeCheckpoint(bytes, path);
  }

  trainingHooks(): TrainingHooks | undefined {
    return distTrainingHooks(this.comm, { globalBn: this.globalBn });
  }

  gradientStages(): TransformStream<StepGradients, StepGradients>[] {
    return [allReduceGradientsStage(this.comm)];
  }

  async vote(microStep: number, asked: boolean, exhausted: boolean, position = -1): Promise<Vote> {
    this.comm.step = Math.floor(microStep / this.#accumulate); // names the step in failures
    const mine = new Float64Array([
      asked || this.comm.stopRequested ? 1 : 0,
      exhausted ? 1 : 0,
      position,
    ]);
    const all = await this.comm.allGather(mine); // 3 values of each rank, in rank order
    const ranks = [...Array(this.size).keys()];
    const stop = ranks.some((r) => all[3 * r] > 0) && microStep % this.#accumulate === 0;
    const end = stop ? "stopped" : ranks.some((r) => all[3 * r + 1] > 0) ? "exhausted" : undefined;
    return { end, positions: ranks.map((r) => all[3 * r + 2]) };
  }

  async onRoot(fn: () => Promise<void>): Promise<void> {
    if (this.root) await fn();
    await this.comm.barrier(); // the others wait here, not in a blocking gather
  }

  async written(microStep: number, applied: AppliedSteps, model: SimCLRModel): Promise<void> {
    if ((microStep + 1) % this.#accumulate !== 0) return;
    await applied.until(microStep);
    if (applied.state.step % this.#checkEvery === 0) await this.#checkWeights(applied, model);
  }

  async finish(applied: AppliedSteps, model: SimCLRModel): Promise<void> {
    await this.#checkWeights(applied, model);
  }

  /** Are the weights still identical on every rank? (BN buffers too with global BN.) */
  async #checkWeights(applied: AppliedSteps, model: SimCLRModel): Promise<void> {
    const step = applied.state.step;
    if (this.#checkedAt === step) return;
    this.#checkedAt = step;
    const params = this.globalBn ? model.store.all() : model.store.trainable();
    await assertSameWeights(this.comm, params, step);
  }
}
