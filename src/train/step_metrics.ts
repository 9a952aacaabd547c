/** Per-step metrics: the record of `metrics.jsonl`, and its writer. */

/**
 * What the optimizer stage reports every `logEvery` steps: one line of `metrics.jsonl`, which
 * the run report reads back.
 */
export interface StepMetrics {
  /** Optimizer steps done (after this one). */
  step: number;
  epoch: number;
  loss: number;
  /** Contrastive top-1 accuracy. */
  accuracy: number;
  /** Learning rate used by this step. */
  lr: number;
  /**
   * The online linear classifier (when it trains and the step had labelled samples): mean
   * cross-entropy and top-1 accuracy on the step's first views, before its update.
   */
  onlineLoss?: number;
  onlineTop1?: number;
  /** Views per second over the interval since the last report. */
  imagesPerSec: number;
  /** Milliseconds per step, averaged over the interval: waiting for data, computing. */
  waitMs: number;
  computeMs: number;
  /** Wall-clock time (ISO). */
  time: string;
}

/** Appends metrics to a JSONL file (one object per line). */
export class JsonlMetricsWriter {
  #file?: Deno.FsFile;
  readonly #enc = new TextEncoder();

  constructor(readonly path: string) {}

  /** Appends one line. */
  async write(m: StepMetrics): Promise<void> {
    this.#file ??= await Deno.open(this.path, { create: true, append: true });
    await this.#file.write(this.#enc.encode(JSON.stringify(m) + "\n"));
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
