import assert from "node:assert/strict";
import { formatProgress, ProgressBar, type ProgressState } from "../../src/report/progress_bar.ts";

const state = (step: number, extra: Partial<ProgressState> = {}): ProgressState => ({
  epoch: Math.floor(step / 40),
  epochs: 3,
  step,
  totalSteps: 120,
  loss: 4.2129,
  imagesPerSec: 312.4,
  dataWaitShare: 0.083,
  ...extra,
});

Deno.test("the progress line shows epoch, step, loss, images/s, data wait and ETA", () => {
  const line = formatProgress(state(60, { etaSeconds: 72 }), 100);
  assert.equal(
    line,
    "epoch 2/3 [============>             ] step  60/120  loss 4.2129  312 img/s  data wait 8%  ETA 1m12s",
  );
  assert.ok(line.length <= 100);
  // Narrow terminals: the bar shrinks, then goes.
  const narrow = formatProgress(state(60, { etaSeconds: 72 }), 80);
  assert.ok(narrow.length <= 80, narrow);
  assert.match(narrow, /^epoch 2\/3 \[=+> *\] step/);
  assert.equal(
    formatProgress(state(120, { etaSeconds: 0 }), 70),
    "epoch 4/3 step 120/120  loss 4.2129  312 img/s  data wait 8%  ETA 0s",
  );
  assert.match(
    formatProgress({ epoch: 0, epochs: 1, step: 0, totalSteps: 10 }),
    /^epoch 1\/1 \[ +\] step {2}0\/10 {2}ETA --$/,
  );
  // with the online classifier: its top-1 after the loss
  assert.equal(
    formatProgress(state(120, { etaSeconds: 0, onlineTop1: 0.6134 }), 90),
    "epoch 4/3 step 120/120  loss 4.2129  online top-1 61.3%  312 img/s  data wait 8%  ETA 0s",
  );
});

function recorder() {
  const out: string[] = [];
  return { out, sink: { write: (t: string) => void out.push(t) } };
}

Deno.test("on a terminal it redraws one line with \\r, throttled, and logs above it", () => {
  let now = 0;
  const { out, sink } = recorder();
  const bar = new ProgressBar({ sink, isTTY: true, columns: 101, redrawMs: 100, now: () => now });
  bar.update(state(1));
  now = 50;
  bar.update(state(2)); // within 100 ms: not drawn
  now = 200;
  bar.update(state(3));
  assert.equal(out.length, 2);
  assert.ok(out.every((w) => w.startsWith("\r") && w.endsWith("\x1b[K") && !w.includes("\n")));
  assert.match(out[1], /step {3}3\/120/);
  // Seconds per step: 0.05 (t 0 -> 50 ms), then the average 0.9 * 0.05 + 0.1 * 0.15 = 0.06;
  // 117 steps left -> 7.02 s.
  assert.match(out[1], /ETA 7s/);
  bar.log("checkpoint written");
  assert.equal(out[2], "\r\x1b[Kcheckpoint written\n");
  assert.match(out[3], /^\repoch 1\/3/); // the line comes back
  now = 250;
  bar.update(state(4)); // throttled; done() shows it
  bar.done();
  assert.match(out[4], /step {3}4\/120/);
  assert.equal(out[5], "\n");
});

Deno.test("without a terminal it prints whole lines every interval, and the last one", () => {
  let now = 0;
  const { out, sink } = recorder();
  const bar = new ProgressBar({ sink, isTTY: false, intervalMs: 10_000, now: () => now });
  for (let step = 1; step <= 120; step++) {
    now = step * 1000; // 1 s per step
    bar.update(state(step));
  }
  bar.done();
  assert.ok(out.every((l) => l.endsWith("\n") && !l.includes("\r")));
  // step 1 at t=1s, then every 10 s: steps 11, 21, ..., 111, then the final step 120.
  const steps = out.map((l) => Number(/step +(\d+)\//.exec(l)![1]));
  assert.deepEqual(steps, [1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 101, 111, 120]);
  assert.match(out[6], /step {2}61\/120 .*ETA 59s/); // 59 steps left at 1 s/step
  assert.match(out.at(-1)!, /ETA 0s/);
});
