import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { forwardBackward } from "../../src/train/forward_backward.ts";
import { disposeStepGradients, type StepGradients } from "../../src/train/step_gradients.ts";
import { TINY, tinyBatch } from "./_fixtures.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("forwardBackward: data wait counts a late batch, not a slow consumer", async () => {
  await startBackend("wasm");
  const model = createModel(TINY);
  const stage = forwardBackward(model);
  const writer = stage.writable.getWriter();
  const reader = stage.readable.getReader();
  const waits: number[] = [];
  const take = async () => {
    const r = await reader.read();
    const g = r.value as StepGradients;
    waits.push(g.waitMs);
    disposeStepGradients(g);
  };
  // (The stage transforms a batch only while a read is pending: its readable holds nothing.)
  // 1: a batch complete long before the stage asks for it: no data wait, although the consumer
  // below is slow (the stage is held back 150 ms before it may take batch 1).
  const w0 = writer.write({ ...tinyBatch(0), readyAt: performance.now() });
  await take();
  await w0;
  const early = { ...tinyBatch(1), readyAt: performance.now() };
  await sleep(150);
  const w1 = writer.write(early);
  await take();
  await w1;
  // 2: the stage is ready (a read is pending) and the batch completes 120 ms later: data wait.
  let pending = take();
  await sleep(120);
  await writer.write({ ...tinyBatch(2), readyAt: performance.now() });
  await pending;
  // 3: without readyAt, the whole gap counts (the generic fallback).
  pending = take();
  await sleep(60);
  await writer.write(tinyBatch(3));
  await pending;
  await writer.close();
  model.dispose();
  // the 150 ms hold-back must not count; a loaded machine adds some event-loop delay (21 ms seen
  // with 8 test processes on 2 cores), so the bound is half the 120 ms a late batch waits
  assert.ok(waits[1] < 60, `early batch waited ${waits[1]} ms`);
  assert.ok(waits[2] >= 100 && waits[2] < 400, `late batch waited ${waits[2]} ms`);
  assert.ok(waits[3] >= 50, `no readyAt: ${waits[3]} ms`);
});
