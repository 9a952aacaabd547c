/**
 * Registration of the project's `webgpu` kernels: they replace the stock ones when the
 * backend starts (idempotently), the stock set stays callable and selectable
 * (`setWebGpuKernelsEnabled(false)`, `SIMCLR_WEBGPU_KERNELS=stock`), a wrong value of that
 * variable is refused with the choices, and the stock and project kernels agree on a
 * convolution. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { probeWebGpu } from "../../src/backend/webgpu.ts";
import { webGpuBatchNormAvailable } from "../../src/backend/webgpu/batch_norm.ts";
import { webGpuKernelConfigs } from "../../src/backend/webgpu/register.ts";
import { setWebGpuKernelsEnabled, webGpuKernelEnabled } from "../../src/backend/webgpu/stock.ts";

const probe = await probeWebGpu();
const skip = "reason" in probe ? probe.reason : undefined;
if (skip) console.log(`webgpu registration tests skipped: ${skip}`);

async function conv(): Promise<Float32Array> {
  const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 4 }, (_, i) => Math.sin(i)), [2, 6, 6, 4]);
  const w = tf.tensor4d(Array.from({ length: 3 * 3 * 4 * 8 }, (_, i) => Math.cos(i)), [3, 3, 4, 8]);
  const y = tf.conv2d(x, w, 2, 1);
  const out = new Float32Array(await y.data());
  tf.dispose([x, w, y]);
  return out;
}

Deno.test({
  name: "webgpu: project kernels registered (idempotently), stock ones selectable and agreeing",
  ignore: Boolean(skip),
  async fn() {
    try {
      await startBackend("webgpu");
      await startBackend("webgpu");
      for (const c of webGpuKernelConfigs) {
        assert.equal(tf.getKernel(c.kernelName, "webgpu"), c, `${c.kernelName} not the project's`);
        assert.ok(webGpuKernelEnabled(c.kernelName));
      }
      assert.ok(webGpuBatchNormAvailable());
      const project = await conv();
      setWebGpuKernelsEnabled(false);
      assert.ok(!webGpuBatchNormAvailable());
      const stock = await conv();
      let diff = 0;
      for (let i = 0; i < stock.length; i++) diff = Math.max(diff, Math.abs(stock[i] - project[i]));
      assert.ok(diff < 1e-4, `stock and project Conv2D differ by ${diff}`);
      setWebGpuKernelsEnabled(["Conv2D"]);
      assert.ok(webGpuKernelEnabled("Conv2D") && !webGpuKernelEnabled("Conv2DBackpropFilter"));
    } finally {
      setWebGpuKernelsEnabled(true);
      await startBackend("cpu");
    }
  },
});

Deno.test({
  name: "webgpu: SIMCLR_WEBGPU_KERNELS=stock selects the stock kernels; other values are refused",
  ignore: Boolean(skip),
  async fn() {
    try {
      Deno.env.set("SIMCLR_WEBGPU_KERNELS", "stock");
      await startBackend("webgpu");
      assert.ok(!webGpuKernelEnabled("Conv2DBackpropFilter"));
      assert.ok(!webGpuBatchNormAvailable());
      Deno.env.set("SIMCLR_WEBGPU_KERNELS", "fast");
      await assert.rejects(startBackend("webgpu"), /SIMCLR_WEBGPU_KERNELS=fast: use 'project'/);
      Deno.env.set("SIMCLR_WEBGPU_KERNELS", "project");
      await startBackend("webgpu");
      assert.ok(webGpuKernelEnabled("Conv2DBackpropFilter"));
    } finally {
      Deno.env.delete("SIMCLR_WEBGPU_KERNELS");
      await startBackend("cpu");
    }
  },
});
