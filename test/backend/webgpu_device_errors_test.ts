/**
 * A WebGPU validation error stops the run instead of leaving wrong tensors behind
 * (src/backend/webgpu/device_errors.ts): a program whose shader does not compile is skipped by
 * the device, and every read from the backend after it rejects with the error, until a test
 * clears it. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";
import { run } from "../../src/backend/webgpu/program.ts";
import { clearDeviceFailure, deviceFailure } from "../../src/backend/webgpu/device_errors.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu device error tests skipped: ${skip}`);

Deno.test({
  name: "webgpu: after a validation error every read rejects with it (no silent wrong values)",
  ignore: Boolean(skip),
  async fn() {
    await startBackend("webgpu");
    const errors: string[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(" "));
    try {
      const backend = tf.backend() as WebGPUBackend;
      const ok = tf.tensor1d([1, 2, 3, 4]);
      assert.deepEqual([...await ok.data()], [1, 2, 3, 4]);
      // A type error in WGSL: the device refuses the shader and skips the dispatch.
      const bad = run(backend, {
        key: "device_errors_test_bad_shader",
        outputShape: [4],
        inputs: ["x"],
        workgroupSize: 4,
        dispatch: [1, 1, 1],
        source: "fn kernel() { let a : i32 = 1.5; result[0] = x[a]; }",
        loopIterations: 0,
      }, [ok]);
      const badTensor = tf.engine().makeTensorFromTensorInfo(bad);
      await assert.rejects(() => badTensor.data(), /WebGPU error/);
      // Any later read, of any tensor, stops the run too.
      await assert.rejects(() => tf.add(ok, 1).data(), /WebGPU error/);
      assert.ok(deviceFailure());
      assert.equal(errors.filter((e) => /WebGPU error/.test(e)).length, 1, errors.join("\n"));
      clearDeviceFailure();
      assert.deepEqual([...await tf.add(ok, 1).data()], [2, 3, 4, 5]);
      tf.dispose([ok, badTensor]);
    } finally {
      console.error = log;
      clearDeviceFailure();
      await startBackend("cpu");
    }
  },
});
