/** Per-step metrics, written as JSON lines and shown as a one-line progress display. */

/** What the optimizer stage reports every `logEvery` steps. */
export interface StepMetrics {
  /** Optimizer steps done (after this one). */
  step: number;
  epoch: number;
  loss: number;
  /** Contrastive top-1 accuracy. */
  accuracy: number;
  /** Learning rate used by this step. */
  lr: number;
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

/** One human-readable progress line. */
export function formatProgress(m: StepMetrics, totalSteps?: number): string {
  const of = totalSteps ? `/${totalSteps}` : "";
  return `step ${m.step}${of} epoch ${m.epoch} loss ${m.loss.toFixed(4)} acc ${
    (100 * m.accuracy).toFixed(1)
  }% lr ${m.lr.toExponential(2)} ${m.imagesPerSec.toFixed(1)} img/s (wait ${
    m.waitMs.toFixed(0)
  } ms, compute ${m.computeMs.toFixed(0)} ms per step)`;
}

/** Prints progress lines to stderr, overwriting the line on a terminal. */
export function progressPrinter(totalSteps?: number): (m: StepMetrics) => void {
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  return (m) => {
    const line = formatProgress(m, totalSteps);
    Deno.stderr.writeSync(enc.encode(tty ? `\r\x1b[K${line}` : `${line}\n`));
  };
}
