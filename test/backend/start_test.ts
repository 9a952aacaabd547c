import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { listWorkingBackends, startBackend } from "../../src/backend/start.ts";
import { loadTensorflowBackend } from "../../src/backend/tensorflow.ts";

Deno.test("wasm and cpu start and report themselves", async () => {
  const wasm = await startBackend("wasm");
  assert.equal(wasm.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.match(wasm.device, /WebAssembly/);
  const cpu = await startBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
});

Deno.test("an unknown backend name lists the working ones", async () => {
  await assert.rejects(() => startBackend("tpu"), (err: Error) => {
    assert.match(err.message, /unknown backend 'tpu'/);
    assert.match(err.message, /Working on this machine: .*wasm, cpu/);
    return true;
  });
});

Deno.test("auto picks a backend that started and explains what it skipped", async () => {
  const info = await startBackend("auto");
  assert.equal(tf.getBackend(), info.tfBackend);
  assert.ok(["tensorflow", "webgpu", "native", "wasm"].includes(info.name));
  const working = await listWorkingBackends();
  assert.ok(working.includes(info.name), `${info.name} not in ${working}`);
});

Deno.test("the tensorflow backend's failure says how to install it", async () => {
  let loaded = false;
  try {
    await loadTensorflowBackend();
    loaded = true;
  } catch (err) {
    const msg = (err as Error).message;
    assert.match(msg, /tfjs-node-gpu/);
    assert.match(msg, /--allow-scripts/);
    assert.match(msg, /CUDA/);
    assert.match(msg, /libtensorflow/);
  }
  if (loaded) {
    // On a machine where it is installed, asking for it by name must work.
    const info = await startBackend("tensorflow");
    assert.equal(info.name, "tensorflow");
  } else {
    await assert.rejects(() => startBackend("tensorflow"), /Backends that work on this machine/);
  }
});

Deno.test("webgpu reports its adapter and whether it is a software fallback", async () => {
  // deno-lint-ignore no-explicit-any
  const gpu = (navigator as any).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    await assert.rejects(() => startBackend("webgpu"), /adapter|navigator\.gpu/);
    return;
  }
  const info = await startBackend("webgpu");
  assert.equal(info.name, "webgpu");
  assert.match(info.device, /^WebGPU: /);
  assert.equal(typeof info.softwareFallback, "boolean");
  if (/llvmpipe/.test(adapter.info.description)) assert.equal(info.softwareFallback, true);
  await startBackend("cpu");
});
