/**
 * The training progress line: epoch, step, loss, images/s, share of time waiting for data and
 * ETA. On a terminal it redraws one line with `\r`; otherwise (logs, CI) it prints a full line
 * every few seconds.
 */
import { formatDuration } from "./_format.ts";

/**
 * What the progress line shows. Steps are global (over all epochs).
 *
 * @example A state and the line it gives
 * ```ts
 * import { ProgressBar, type ProgressState } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const bar = new ProgressBar({ sink: { write: (t) => void lines.push(t) }, isTTY: false });
 * const state: ProgressState = { epoch: 0, epochs: 3, step: 10, totalSteps: 120, loss: 5.2 };
 * bar.update(state);
 * assert.match(lines[0], /^epoch 1\/3 \[.*\] step  10\/120  loss 5\.2000/);
 * assert.equal(bar.state?.step, 10);
 * ```
 */
export interface ProgressState {
  /** Current epoch, 0-based (shown 1-based). */
  epoch: number;
  /** Epochs of the run. */
  epochs: number;
  /** Optimizer steps done so far, over all epochs. */
  step: number;
  /** Optimizer steps of the whole run (0: unknown, shown without bar or ETA). */
  totalSteps: number;
  /** The last step's loss. */
  loss?: number;
  /** The online linear classifier's top-1 on the training batches (0..1), when it trains. */
  onlineTop1?: number;
  /** Throughput, views per second. */
  imagesPerSec?: number;
  /** Share (0..1) of step time spent waiting for data. */
  dataWaitShare?: number;
  /** Seconds left; computed by {@link ProgressBar} when absent. */
  etaSeconds?: number;
  /** Replaces `epoch e/E` at the start of the line (e.g. `embed`). */
  head?: string;
  /** Names the counted items instead of `step` (e.g. `images`). */
  unit?: string;
}

/**
 * Where the progress output goes (default: standard error).
 *
 * @example Collecting the output in memory
 * ```ts
 * import { ProgressBar, type TextSink } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * let text = "";
 * const sink: TextSink = { write: (t) => void (text += t) };
 * const bar = new ProgressBar({ sink, isTTY: false });
 * bar.log("checkpoint written");
 * assert.equal(text, "checkpoint written\n");
 * ```
 */
export interface TextSink {
  /** Writes `text` as it is (lines end with `\n`; a terminal redraw starts with `\r`). */
  write(text: string): void;
}

/**
 * Options for {@link ProgressBar}.
 *
 * @example A log-style bar printing at most one line per 5 s, on an injected clock
 * ```ts
 * import { ProgressBar, type ProgressOptions } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * let ms = 0;
 * const options: ProgressOptions = {
 *   sink: { write: (t) => void lines.push(t) }, isTTY: false, intervalMs: 5000, now: () => ms,
 * };
 * const bar = new ProgressBar(options);
 * for (let step = 1; step <= 10; step++) {
 *   ms = step * 1000; // one step per second
 *   bar.update({ epoch: 0, epochs: 1, step, totalSteps: 10 });
 * }
 * assert.equal(lines.length, 3); // step 1, step 6 (5 s later), and the last step
 * ```
 */
export interface ProgressOptions {
  /** Output (default: standard error, written synchronously). */
  sink?: TextSink;
  /** Redraw in place (default: whether standard error is a terminal). */
  isTTY?: boolean;
  /** Line width on a terminal (default: the terminal's, else 100). */
  columns?: number;
  /** Non-terminal output: at most one line per this many ms (default 10000). */
  intervalMs?: number;
  /** Terminal output: at most one redraw per this many ms (default 100). */
  redrawMs?: number;
  /** Clock in ms (default `performance.now`); tests inject one. */
  now?: () => number;
}

/**
 * One progress line: `epoch 2/3 [#####-----] step 57/120  loss 4.213  online top-1 61.3%  312
 * img/s  data wait 8%  ETA 1m12s`, with the bar sized so the line fits `width` (the bar is dropped if it cannot).
 * When the total is unknown (`totalSteps` 0), the count is shown alone, without bar or ETA.
 *
 * @example
 * ```ts
 * formatProgress({ epoch: 0, epochs: 3, step: 10, totalSteps: 120, loss: 5.1 }, 80);
 * ```
 */
export function formatProgress(state: ProgressState, width = 100): string {
  const known = state.totalSteps > 0;
  const digits = String(state.totalSteps).length;
  const head = state.head ?? `epoch ${state.epoch + 1}/${state.epochs}`;
  const unit = state.unit ?? "step";
  const fields = [
    known
      ? `${unit} ${String(state.step).padStart(digits)}/${state.totalSteps}`
      : `${unit} ${state.step}`,
  ];
  if (state.loss !== undefined) {
    fields.push(`loss ${Number.isFinite(state.loss) ? state.loss.toFixed(4) : state.loss}`);
  }
  if (state.onlineTop1 !== undefined) {
    fields.push(`online top-1 ${(100 * state.onlineTop1).toFixed(1)}%`);
  }
  if (state.imagesPerSec !== undefined) {
    fields.push(`${state.imagesPerSec.toFixed(state.imagesPerSec < 10 ? 1 : 0)} img/s`);
  }
  if (state.dataWaitShare !== undefined) {
    fields.push(`data wait ${Math.round(state.dataWaitShare * 100)}%`);
  }
  if (known) fields.push(`ETA ${formatDuration(state.etaSeconds)}`);
  const tail = fields.join("  ");
  if (!known) return `${head} ${tail}`.slice(0, Math.max(width, 0));
  const room = width - head.length - tail.length - 4; // spaces and brackets
  const share = state.totalSteps > 0 ? Math.min(1, Math.max(0, state.step / state.totalSteps)) : 0;
  if (room < 6) return `${head} ${tail}`.slice(0, Math.max(width, 0));
  const barWidth = Math.min(30, room);
  const filled = Math.round(share * barWidth);
  const bar = "=".repeat(Math.max(0, filled - 1)) + (filled ? (share >= 1 ? "=" : ">") : "") +
    " ".repeat(barWidth - filled);
  return `${head} [${bar}] ${tail}`;
}

const stderrSink: TextSink = {
  write(text) {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
  },
};

/**
 * A progress display for training. Call {@link ProgressBar.update} after every step (it
 * throttles itself), {@link ProgressBar.log} for messages, {@link ProgressBar.done} at the end.
 * The ETA comes from a moving average of seconds per step. On a terminal it redraws one line
 * with `\r`; otherwise (logs, CI) it prints a full line every `intervalMs`.
 *
 * @example Steps, a message and the end
 * ```ts
 * import { ProgressBar } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * let ms = 0;
 * const bar = new ProgressBar({
 *   sink: { write: (t) => void lines.push(t) }, isTTY: false, now: () => ms,
 * });
 * bar.update({ epoch: 0, epochs: 1, step: 1, totalSteps: 4, loss: 6.1, imagesPerSec: 150 });
 * ms = 2000;
 * bar.update({ epoch: 0, epochs: 1, step: 2, totalSteps: 4, loss: 5.9 });
 * bar.log("checkpoint written");
 * bar.done();
 * assert.equal(lines.length, 3); // step 1, the message, then step 2 printed by done()
 * assert.equal(lines[1], "checkpoint written\n");
 * assert.match(lines[2], /step 2\/4  loss 5\.9000  ETA 4s/); // 2 s per step, 2 steps left
 * ```
 */
export class ProgressBar {
  #sink: TextSink;
  #tty: boolean;
  #columns: number;
  #interval: number;
  #redraw: number;
  #now: () => number;
  #last?: ProgressState;
  #lastDraw = -Infinity;
  #drawn = false; // a partial line is on screen (TTY)
  #printedLast = false;
  #secPerStep?: number;
  #prevStep?: { step: number; t: number };

  /** A bar writing to `options.sink` (default standard error). */
  constructor(options: ProgressOptions = {}) {
    this.#sink = options.sink ?? stderrSink;
    this.#tty = options.isTTY ?? safeIsTerminal();
    this.#columns = options.columns ?? (this.#tty ? safeColumns() : 100);
    this.#interval = options.intervalMs ?? 10_000;
    this.#redraw = options.redrawMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The state with the ETA filled in, as it would be shown now. */
  get state(): ProgressState | undefined {
    return this.#last;
  }

  /** Records a new state and redraws (TTY) or prints a line (otherwise) when due. */
  update(state: ProgressState): void {
    const t = this.#now();
    if (this.#prevStep && state.step > this.#prevStep.step) {
      const per = (t - this.#prevStep.t) / 1000 / (state.step - this.#prevStep.step);
      this.#secPerStep = this.#secPerStep === undefined ? per : 0.9 * this.#secPerStep + 0.1 * per;
    }
    if (!this.#prevStep || state.step !== this.#prevStep.step) {
      this.#prevStep = { step: state.step, t };
    }
    const eta = state.etaSeconds ??
      (this.#secPerStep !== undefined
        ? this.#secPerStep * (state.totalSteps - state.step)
        : undefined);
    this.#last = { ...state, etaSeconds: eta };
    this.#printedLast = false;
    const due = t - this.#lastDraw >= (this.#tty ? this.#redraw : this.#interval);
    if (due || (state.totalSteps > 0 && state.step >= state.totalSteps)) this.#draw(t);
  }

  /** Prints a message on its own line without garbling the progress line. */
  log(message: string): void {
    if (this.#tty && this.#drawn) {
      this.#sink.write(`\r\x1b[K${message}\n`);
      if (this.#last) this.#sink.write(this.#line());
    } else {
      this.#sink.write(`${message}\n`);
    }
  }

  /** Prints the last state if it was not shown yet and ends the line. */
  done(): void {
    if (this.#last && !this.#printedLast) this.#draw(this.#now());
    if (this.#tty && this.#drawn) this.#sink.write("\n");
    this.#drawn = false;
  }

  #line(): string {
    return `\r${formatProgress(this.#last!, this.#columns - 1)}\x1b[K`;
  }

  #draw(t: number): void {
    if (!this.#last) return;
    this.#lastDraw = t;
    this.#printedLast = true;
    if (this.#tty) {
      this.#sink.write(this.#line());
      this.#drawn = true;
    } else {
      this.#sink.write(`${formatProgress(this.#last, this.#columns)}\n`);
    }
  }
}

function safeIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function safeColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}
