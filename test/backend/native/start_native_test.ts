import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { nativeKernelEnabled } from "../../../src/backend/native/load.ts";
import { startBackend } from "../../../src/backend/start.ts";
import { hasDnnl, skipReason } from "./_harness.ts";

Deno.test({
  name: `--backend native starts wasm + native kernels; wasm after it is pure wasm again${
    hasDnnl ? "" : ` (skipped: ${skipReason})`
  }`,
  ignore: !hasDnnl,
  async fn() {
    const native = await startBackend("native", { threads: 1 });
    assert.equal(native.name, "native");
    assert.equal(tf.getBackend(), "wasm");
    assert.match(native.device, /oneDNN .*1 thread\)/);
    assert.ok(nativeKernelEnabled("Conv2D"));
    const wasm = await startBackend("wasm");
    assert.equal(wasm.name, "wasm");
    assert.ok(!nativeKernelEnabled("Conv2D"), "native kernels still on under --backend wasm");
    const again = await startBackend("native", { threads: 2 });
    assert.match(again.device, /2 threads\)/);
    assert.ok(nativeKernelEnabled("Conv2D"));
  },
});
