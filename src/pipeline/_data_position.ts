/**
 * Where the training input continues after a checkpoint. `pretrain`'s checkpoints store
 * {@link DataPosition}: the micro-batch to train next and, for each rank, the position in its part
 * of that micro-batch's epoch order just past the samples it trained on. Without skipped samples
 * a rank's position after the epoch's micro-batch `j - 1` is `j * B` (B pairs per micro-batch on a
 * rank); under `data.onError: skip` each skipped sample was replaced by the next one of the order,
 * so the position is further on, and a resume must continue there to see what an uninterrupted
 * run sees. {@link ReadPositions} collects the ranks' positions per micro-batch (the loop's vote
 * gathers them), {@link resumePosition} turns a checkpoint's into this rank's start position.
 * Checkpoints written before positions were stored resume at `j * B`.
 */
import type { TrainState } from "../train/train_state.ts";

/**
 * The data position of a `pretrain` checkpoint (`CheckpointMeta.dataPosition`).
 */
export interface DataPosition {
  /** Epoch of the last micro-batch trained. */
  epoch: number;
  /** The micro-batch to train next (`TrainState.microStep + 1`). */
  nextMicroStep: number;
  /**
   * Each rank's position in its part of `epoch`'s order past its last trained sample, in rank
   * order (absent in checkpoints written before it was stored: then `j * B` is assumed).
   */
  positions?: number[];
}

/**
 * The ranks' reading positions of the micro-batches read but not yet checkpointed, by micro-batch.
 */
export class ReadPositions {
  readonly #byMicroStep = new Map<number, number[]>();

  /**
   * Notes the ranks' `positions` after micro-batch `microStep`, forgetting those of micro-batches
   * before `applied` (the last applied micro-batch: no later checkpoint can ask for them).
   */
  record(microStep: number, positions: readonly number[], applied: number): void {
    this.#byMicroStep.set(microStep, [...positions]);
    for (const m of this.#byMicroStep.keys()) if (m < applied) this.#byMicroStep.delete(m);
  }

  /** The data position to checkpoint with `state` (without positions when a rank had none). */
  of(state: TrainState): DataPosition {
    const at: DataPosition = { epoch: state.epoch, nextMicroStep: state.microStep + 1 };
    const positions = this.#byMicroStep.get(state.microStep);
    if (positions && positions.every((p) => p >= 0)) at.positions = positions;
    return at;
  }
}

/** What {@link resumePosition} needs besides the checkpoint's data position. */
export interface ResumeSetting {
  /** The checkpoint's file, for messages. */
  checkpoint: string;
  /** The micro-batch to train next (the restored state's `microStep + 1`). */
  nextMicroStep: number;
  /** Micro-batches per epoch (the plan's). */
  microStepsPerEpoch: number;
  /** Pairs per micro-batch on one rank, now. */
  microBatch: number;
  rank: number;
  worldSize: number;
  /** Tar shards (split among the ranks by shard) rather than an indexed dataset. */
  shards: boolean;
}

/**
 * This rank's position in its part of the epoch of `nextMicroStep` to resume reading at: 0 at an
 * epoch's start, else the checkpoint's position of this rank (exact after skips), or `j * B` for
 * a checkpoint without positions. On another number of ranks than the checkpoint's, a position
 * inside an epoch is kept only where it maps exactly: an indexed dataset in which no rank had
 * skipped a sample of that epoch (every position `j * B`: the blocked split makes the ranks'
 * parts one order). Otherwise (skips, or tar shards, whose ranks read different shards) it throws,
 * naming the ranks to resume on.
 */
export function resumePosition(dataPosition: unknown, o: ResumeSetting): number {
  const j = o.nextMicroStep % o.microStepsPerEpoch;
  if (j === 0) return 0;
  const plain = j * o.microBatch;
  const at = dataPosition as Partial<DataPosition> | undefined;
  const positions = at?.positions;
  if (positions === undefined) return plain; // written before positions were stored
  const globalBatch = o.microBatch * o.worldSize;
  const then = Array.isArray(positions) ? positions.length : 0;
  const thenBatch = globalBatch / then;
  const valid = Array.isArray(positions) && then > 0 && Number.isInteger(thenBatch) &&
    at?.nextMicroStep === o.nextMicroStep &&
    positions.every((p) => Number.isInteger(p) && p >= j * thenBatch);
  if (!valid) {
    throw new Error(
      `checkpoint ${o.checkpoint}: its data position ${JSON.stringify(dataPosition)} does not ` +
        `fit its micro-batch ${o.nextMicroStep - 1} and the plan (${o.microStepsPerEpoch} ` +
        `micro-batches an epoch, ${globalBatch} pairs each): it was edited or written by another ` +
        `program; resume from an earlier checkpoint of the run`,
    );
  }
  if (then === o.worldSize) return positions[o.rank];
  const epoch = Math.floor(o.nextMicroStep / o.microStepsPerEpoch) + 1;
  const head = `cannot resume ${o.checkpoint} on ${ranks(o.worldSize)}: it was written by ` +
    `${ranks(then)} inside epoch ${epoch} (after ${j} of its ${o.microStepsPerEpoch} ` +
    `micro-batches)`;
  const fix = `resume on ${ranks(then)}, as the run was stopped, or from an earlier checkpoint ` +
    `the run kept (train.keepCheckpoints) written at an epoch's end`;
  if (o.shards) {
    throw new Error(
      `${head}, and tar shards are split among the ranks by shard, so ${ranks(o.worldSize)} ` +
        `read that epoch in another order; ${fix}`,
    );
  }
  if (positions.every((p) => p === j * thenBatch)) return plain;
  throw new Error(
    `${head}, and samples were skipped (data.onError: skip) in that epoch before it: each rank ` +
      `continues the epoch from its own position (${positions.join(", ")}; ${j * thenBatch} ` +
      `each without skips), which ${ranks(o.worldSize)} cannot take over exactly; ${fix}`,
  );
}

function ranks(n: number): string {
  return `${n} rank${n === 1 ? "" : "s"}`;
}
