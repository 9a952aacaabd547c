import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { startBackend } from "../../../src/backend/start.ts";
import { alias, alloc, f32, freeAlias } from "../../../src/backend/wasm/heap.ts";
import { registerWasmKernels } from "../../../src/backend/wasm/register.ts";
import { hasStock, stock } from "../../../src/backend/wasm/stock.ts";

Deno.test("f32 is a zero-copy view: writes show in the tensor, reads see its values", async () => {
  await startBackend("wasm");
  const backend = tf.backend() as BackendWasm;
  const t = tf.tensor([1, 2, 3, 4], [2, 2]);
  const view = f32(backend, t);
  assert.deepEqual(Array.from(view), [1, 2, 3, 4]);
  view[3] = 40;
  assert.deepEqual(Array.from(t.dataSync()), [1, 2, 3, 40]);
  // A kernel output made with alloc becomes a tensor without a copy.
  const out = alloc(backend, [3]);
  f32(backend, out).set([7, 8, 9]);
  const u = tf.engine().makeTensorFromTensorInfo(out);
  assert.deepEqual(Array.from(u.dataSync()), [7, 8, 9]);
  tf.dispose([t, u]);
});

Deno.test("alias shares memory with its parent and is released without freeing it", async () => {
  await startBackend("wasm");
  const backend = tf.backend() as BackendWasm;
  const t = tf.tensor([0, 1, 2, 3, 4, 5], [6]);
  const ids = backend.numDataIds();
  const a = alias(backend, t, 2, [2, 2]);
  const sq = stock(backend, tf.Square, { x: a });
  assert.deepEqual(Array.from(f32(backend, sq)), [4, 9, 16, 25]);
  backend.disposeData(sq.dataId);
  freeAlias(backend, a);
  assert.equal(backend.numDataIds(), ids);
  assert.deepEqual(Array.from(t.dataSync()), [0, 1, 2, 3, 4, 5]);
  t.dispose();
});

Deno.test("registration is idempotent and replaced stock kernels stay callable", async () => {
  registerWasmKernels();
  registerWasmKernels();
  await startBackend("wasm");
  const backend = tf.backend() as BackendWasm;
  assert.ok(hasStock(tf.BatchMatMul));
  assert.ok(!hasStock(tf.Conv2DBackpropFilter), "the wasm backend has no stock one");
  const a = tf.tensor([[1, 2], [3, 4]]), b = tf.tensor([[5, 6], [7, 8]]);
  const out = stock(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  assert.deepEqual(Array.from(f32(backend, out)), [19, 22, 43, 50]);
  backend.disposeData(out.dataId);
  tf.dispose([a, b]);
});
