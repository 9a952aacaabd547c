import assert from "node:assert/strict";
import { SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { type SampleFailure, skipFailures } from "../../src/data/skip_failures.ts";
import { collect, fromIterable } from "../../src/streams/stage.ts";

type Item = { key: string; epoch: number } | SampleFailure;
const ok = (key: string, epoch: number): Item => ({ key, epoch });
const bad = (key: string, epoch: number): Item => ({ failed: `${key}: broken`, key, epoch });

Deno.test("skipFailures passes samples in order and counts failures once per epoch, the last too", async () => {
  const reports: SkipReport[] = [];
  const skips = new SkipLog((r) => reports.push(r));
  const items = [ok("a", 0), bad("b", 0), ok("c", 0), bad("d", 1), bad("e", 1), ok("f", 2)];
  const out = await collect(
    fromIterable(items).pipeThrough(skipFailures<{ key: string; epoch: number }>(skips)),
  );
  assert.deepEqual(out.map((s) => s.key), ["a", "c", "f"]);
  assert.deepEqual(reports.map((r) => [r.epoch, r.count, r.examples]), [
    [0, 1, ["b: broken"]],
    [1, 2, ["d: broken", "e: broken"]],
    [2, 0, []],
  ]);
  assert.equal(skips.total, 3);
});

Deno.test("skipFailures waits for every stage of the log before reporting an epoch", async () => {
  const reports: SkipReport[] = [];
  const skips = new SkipLog((r) => reports.push(r));
  const reader = skips.tracker(); // a stage upstream, still in epoch 0
  reader.at(0);
  await collect(fromIterable([bad("x", 0), ok("y", 1)]).pipeThrough(skipFailures(skips)));
  assert.equal(reports.length, 0, "epoch 0 is not over while the reader is in it");
  reader.done();
  assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 1], [1, 0]]);
});
