/**
 * The training loop of a run, to read top to bottom (nanoGPT's `train.py` was the model). Each
 * micro-batch is read, voted on (stop?), preceded by the kNN monitor when an epoch it is due at
 * begins, and written into the trainer, whose stages do forward/backward, accumulation, the
 * optimizer step at the scheduled learning rate, metrics and checkpoints (`train/trainer.ts`).
 *
 * The loop awaits each write, which resolves once that micro-batch's forward/backward ran: so
 * every rank issues its collectives in the same order. What several ranks add (the vote,
 * lockstep, weights checks, the monitor on rank 0 alone) sits behind {@link Ranks}, which does
 * nothing for one process.
 */
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { Batch } from "../train/batch.ts";
import type { Trainer } from "../train/trainer.ts";
import type { ReadPositions } from "./_data_position.ts";
import type { EarlyEnd, Ranks } from "./ranks.ts";

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  /** Micro-batches from the one after the trainer state's `microStep` on. */
  input: ReadableStream<Batch>;
  /** The training sink, holding the state to continue from. */
  trainer: Trainer;
  model: SimCLRModel;
  ranks: Ranks;
  /** Micro-batches of the whole run (the plan's steps x accumulation). */
  microSteps: number;
  /** Aborting stops training (several ranks: at the next step). */
  signal?: AbortSignal;
  /** Where the ranks' reading positions of each micro-batch go (for the checkpoints). */
  positions?: ReadPositions;
  /** The kNN monitor, when the run has one. */
  monitor?: {
    /** Whether it runs before `batch` (the first of a due epoch). */
    due(batch: Batch): boolean;
    /** Evaluates the weights trained so far. */
    run(epoch: number): Promise<void>;
  };
}

/**
 * Trains from the trainer's state to the end of the plan; returns why it ended early, if it
 * did. The trainer is closed (final checkpoint written) when it returns.
 */
export async function trainLoop(o: TrainLoopOptions): Promise<EarlyEnd | undefined> {
  const { trainer, ranks, model } = o;
  const applied = trainer.applied;
  const reader = o.input.getReader();
  const writer = trainer.getWriter();
  let end: EarlyEnd | undefined;
  try {
    for (let micro = applied.state.microStep + 1; micro < o.microSteps; micro++) {
      // data: the next micro-batch of augmented view pairs, prepared while the last one trained
      const next = await reader.read();
      // stop: when asked (Ctrl-C, or a stop request to any rank) or when a rank ran out of data;
      // the vote also gathers every rank's position in its epoch order, for the checkpoints
      const vote = await ranks.vote(
        micro,
        o.signal?.aborted ?? false,
        next.done ?? false,
        next.value?.nextPosition,
      );
      end = vote.end;
      if (end) break;
      const batch = next.value!;
      o.positions?.record(micro, vote.positions, applied.state.microStep);
      // monitor: kNN accuracy of the weights so far, before the first batch of a due epoch
      if (o.monitor?.due(batch)) {
        await applied.until(micro - 1);
        await ranks.onRoot(() => o.monitor!.run(batch.epoch));
      }
      // forward/backward; after a step's last micro-batch: accumulation, (several ranks: the
      // gradient all-reduce,) the optimizer step at the scheduled LR, metrics, checkpoint
      await writer.write(batch);
      // lockstep: several ranks wait for the step to be applied and compare their weights
      await ranks.written(micro, applied, model);
    }
    await reader.cancel();
    // the last step's metrics and the final checkpoint
    await writer.close();
    await ranks.finish(applied, model);
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    await writer.abort(err).catch(() => {});
    throw err;
  }
  return end;
}
