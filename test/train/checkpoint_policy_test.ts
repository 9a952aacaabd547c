import assert from "node:assert/strict";
import { CheckpointPolicy, parseCheckpointEvery } from "../../src/train/checkpoint_policy.ts";

Deno.test("parseCheckpointEvery: steps, epochs, times; a bare number is epochs; others refused", () => {
  assert.deepEqual(parseCheckpointEvery("500 steps"), { value: 500, unit: "steps" });
  assert.deepEqual(parseCheckpointEvery("1 step"), { value: 1, unit: "steps" });
  assert.deepEqual(parseCheckpointEvery("2 epochs"), { value: 2, unit: "epochs" });
  assert.deepEqual(parseCheckpointEvery("0.5epoch"), { value: 0.5, unit: "epochs" });
  assert.deepEqual(parseCheckpointEvery(3), { value: 3, unit: "epochs" });
  assert.deepEqual(parseCheckpointEvery("3"), { value: 3, unit: "epochs" });
  assert.deepEqual(parseCheckpointEvery("10 min"), { value: 600, unit: "seconds" });
  assert.deepEqual(parseCheckpointEvery("90 s"), { value: 90, unit: "seconds" });
  assert.deepEqual(parseCheckpointEvery("1.5 h"), { value: 5400, unit: "seconds" });
  assert.deepEqual(parseCheckpointEvery("2 Minutes"), { value: 120, unit: "seconds" });
  for (const bad of ["0 steps", "0", "-1 min", "10 parsecs", "min", ""]) {
    assert.throws(() => parseCheckpointEvery(bad), RangeError, bad);
  }
});

Deno.test("CheckpointPolicy: every N steps counted from step 0, and every T seconds since the last save", () => {
  const bySteps = new CheckpointPolicy({ everySteps: 3 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].filter((s) => bySteps.due(s)), [3, 6]);

  let now = 0;
  const byTime = new CheckpointPolicy({ everySeconds: 10, now: () => now });
  const due: number[] = [];
  for (let step = 1; step <= 12; step++) {
    now += 4000; // 4 s a step
    if (byTime.due(step)) {
      due.push(step);
      byTime.saved();
    }
  }
  // 12 s > 10 s at step 3; then 3 more steps (12 s) each time
  assert.deepEqual(due, [3, 6, 9, 12]);

  now = 0;
  const both = new CheckpointPolicy({ everySteps: 5, everySeconds: 10, now: () => now });
  const dueBoth: number[] = [];
  for (let step = 1; step <= 10; step++) {
    now += 3000;
    if (both.due(step)) {
      dueBoth.push(step);
      both.saved();
    }
  }
  // time at step 4 (12 s), steps at 5 and 10, time again at 9 (12 s after step 5)
  assert.deepEqual(dueBoth, [4, 5, 9, 10]);
  assert.throws(() => new CheckpointPolicy({ everySteps: 0 }), RangeError);
  assert.throws(() => new CheckpointPolicy({ everySeconds: -1 }), RangeError);
});
