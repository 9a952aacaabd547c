import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { resnet } from "../../src/model/resnet.ts";
import { Rng } from "../../src/streams/rng.ts";
import { encodeSafetensors } from "../../src/model/safetensors.ts";
import { exportTorchvision } from "../../src/model/torchvision_weights.ts";
import { importTorchvision } from "./_torchvision_import.ts";
import { loadWeights, saveWeights } from "../../src/model/weights.ts";

await tf.setBackend("cpu");

const PY = "/usr/bin/python3";
const torchvisionMissing = await (async () => {
  try {
    const r = await new Deno.Command(PY, {
      args: ["-c", "import torch, torchvision"],
      stdout: "null",
      stderr: "null",
    }).output();
    return r.success
      ? ""
      : `${PY} cannot import torch and torchvision (apt-get install python3-torchvision)`;
  } catch {
    return `${PY} not found`;
  }
})();
if (torchvisionMissing) console.log(`SKIP torchvision comparison: ${torchvisionMissing}`);

/** Random BN statistics and affine parameters, so eval-mode features depend on all of them. */
function randomizeBatchNorm(enc: ReturnType<typeof resnet>) {
  const rng = Rng.fromSeed(5, "bn");
  for (const p of enc.store.all()) {
    const n = p.variable.size;
    const u = (lo: number, hi: number) =>
      tf.tensor(rng.fillUniform(new Float32Array(n), lo, hi), p.variable.shape);
    if (p.name.endsWith("running_mean")) p.variable.assign(u(-0.2, 0.2));
    else if (p.name.endsWith("running_var")) p.variable.assign(u(0.5, 1.5));
    else if (p.tags.has("bn")) {
      p.variable.assign(p.name.endsWith("weight") ? u(0.5, 1.5) : u(-0.2, 0.2));
    }
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test({
  name:
    "torchvision: resnet18 exported here loads in torchvision (only fc missing), same features; and back",
  ignore: Boolean(torchvisionMissing),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const enc = resnet("resnet18", { seed: 3 });
    randomizeBatchNorm(enc);
    const xData = Rng.fromSeed(9, "x").fillNormal(new Float32Array(2 * 64 * 64 * 3));
    await Deno.writeFile(`${dir}/ours.safetensors`, await exportTorchvision(enc));
    await Deno.writeFile(
      `${dir}/x.safetensors`,
      encodeSafetensors([["x", { dtype: "F32", shape: [2, 64, 64, 3], data: xData }]]),
    );
    const r = await new Deno.Command(PY, {
      args: [
        new URL("./_torchvision_check.py", import.meta.url).pathname,
        `${dir}/ours.safetensors`,
        `${dir}/x.safetensors`,
        `${dir}/theirs.safetensors`,
      ],
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    const out = JSON.parse(new TextDecoder().decode(r.stdout));
    assert.deepEqual(out.missing.sort(), ["fc.bias", "fc.weight"]);
    assert.deepEqual(out.unexpected, []);
    const x = tf.tensor4d(xData, [2, 64, 64, 3]);
    const h = enc.apply(x, { training: false });
    const d1 = maxAbsDiff(await h.data(), out.ours);
    assert.ok(d1 < 1e-4, `features of the exported model differ from torchvision's by ${d1}`);
    // reverse: a torchvision state_dict imported here
    const other = resnet("resnet18", { seed: 99 });
    importTorchvision(
      other,
      await Deno.readFile(`${dir}/theirs.safetensors`),
      "theirs.safetensors",
    );
    const h2 = other.apply(x, { training: false });
    const d2 = maxAbsDiff(await h2.data(), out.theirs);
    assert.ok(d2 < 1e-4, `features of the imported torchvision model differ by ${d2}`);
    tf.dispose([x, h, h2]);
    enc.store.dispose();
    other.store.dispose();
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("torchvision export/import round trip (no python): OIHW layout, int64 counters", async () => {
  const a = resnet("resnet18", { widthMultiplier: 0.125, seed: 1 });
  const b = resnet("resnet18", { widthMultiplier: 0.125, seed: 2 });
  const bytes = await exportTorchvision(a);
  // conv1.weight: HWIO [7,7,3,8] here, OIHW [8,3,7,7] in the file; element (o=5,i=2,h=3,w=4)
  const header = JSON.parse(
    new TextDecoder().decode(
      bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))),
    ),
  );
  assert.deepEqual(header["conv1.weight"].shape, [8, 3, 7, 7]);
  assert.equal(header["bn1.num_batches_tracked"].dtype, "I64");
  assert.equal(header["fc.weight"], undefined);
  importTorchvision(b, bytes);
  for (const p of a.store.all()) {
    assert.deepEqual(await b.store.get(p.name).variable.data(), await p.variable.data(), p.name);
  }
  const wrong = resnet("resnet18", { widthMultiplier: 0.25 });
  assert.throws(
    () => importTorchvision(wrong, bytes, "small.safetensors"),
    /small\.safetensors: 'encoder\.conv1\.weight' has shape \[8,3,7,7\]/,
  );
  for (const e of [a, b, wrong]) e.store.dispose();
});

Deno.test("weights: save and load every parameter and BN statistic", async () => {
  const dir = await Deno.makeTempDir();
  const a = resnet("resnet18", { widthMultiplier: 0.125, seed: 1 });
  randomizeBatchNorm(a);
  const b = resnet("resnet18", { widthMultiplier: 0.125, seed: 2 });
  await saveWeights(a.store, `${dir}/w.safetensors`);
  await loadWeights(b.store, `${dir}/w.safetensors`);
  for (const p of a.store.all()) {
    assert.deepEqual(await b.store.get(p.name).variable.data(), await p.variable.data(), p.name);
  }
  a.store.dispose();
  b.store.dispose();
  await Deno.remove(dir, { recursive: true });
});
