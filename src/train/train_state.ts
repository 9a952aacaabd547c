/** The trainer's position: what a checkpoint must restore besides weights and optimizer. */

/** Progress of a run (JSON-serializable). */
export interface TrainState {
  /** Optimizer steps done (the LR schedule's position). */
  step: number;
  /** Images (views) processed. */
  images: number;
  /**
   * `Batch.microStep` of the last micro-batch consumed (-1 before the first). Checkpoints
   * written before this field was renamed call it `batchStep`; loading maps it.
   */
  microStep: number;
  /** `Batch.epoch` of the last batch consumed. */
  epoch: number;
}

/** A fresh state at step 0. */
export function initialTrainState(): TrainState {
  return { step: 0, images: 0, microStep: -1, epoch: 0 };
}
