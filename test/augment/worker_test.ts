import assert from "node:assert/strict";
import { pairedViews } from "../../src/augment/paired.ts";
import { createMapper, transferablesOf } from "../../src/augment/worker.ts";
import { noise } from "./_images.ts";

Deno.test("createMapper in a real Worker gives the same pairs as in this thread", async () => {
  const init = structuredClone({ preset: "simclr-cifar", size: 24, seed: 5 });
  const image = noise(32, 32, 3, 6);
  const worker = new Worker(new URL("./_worker_fixture.ts", import.meta.url), { type: "module" });
  try {
    const reply = new Promise<MessageEvent>((resolve, reject) => {
      worker.onmessage = resolve;
      worker.onerror = (e) => reject(new Error(e.message));
    });
    worker.postMessage({ init, item: { image, epoch: 1, index: 9 } });
    const got = (await reply).data;
    const want = pairedViews(init)(image, 1, 9);
    assert.deepEqual(got.view1, want.view1);
    assert.deepEqual(got.view2, want.view2);
    assert.deepEqual(createMapper(init)({ image, epoch: 1, index: 9 }).view1, want.view1);
    assert.equal(transferablesOf(want).length, 2);
  } finally {
    worker.terminate();
  }
});

Deno.test("createMapper takes flat items (RawImage & {epoch, index}) and explains encoded ones", () => {
  const image = noise(32, 32, 3, 7);
  const map = createMapper({ preset: "simclr-cifar", seed: 2 });
  const flat = map({ ...image, epoch: 0, index: 4 });
  const nested = map({ image, epoch: 0, index: 4 });
  assert.deepEqual(flat.view1, nested.view1);
  assert.throws(
    () => map({ key: "a.jpg", bytes: new Uint8Array(3), epoch: 0, index: 0 } as never),
    /item 'a.jpg' has no decoded pixels; decode samples/,
  );
});
