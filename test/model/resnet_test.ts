import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { resnet } from "../../src/model/resnet.ts";
import { createModel } from "../../src/model/simclr_model.ts";

await tf.setBackend("cpu");

Deno.test("resnet18/resnet50: torchvision's parameter counts without fc", () => {
  // torchvision: resnet18 11,689,512 and resnet50 25,557,032 with a 1000-class fc.
  for (
    const [depth, want, feat] of [["resnet18", 11_176_512, 512], [
      "resnet50",
      23_508_032,
      2048,
    ]] as const
  ) {
    const enc = resnet(depth);
    assert.equal(enc.store.countTrainable(), want, depth);
    assert.equal(
      enc.store.countTrainable() + feat * 1000 + 1000,
      depth === "resnet18" ? 11_689_512 : 25_557_032,
    );
    assert.equal(enc.featureDim, feat);
    enc.store.dispose();
  }
});

Deno.test("resnet34: torchvision's parameter count without fc (21,797,672 - 513,000)", () => {
  const enc = resnet("resnet34");
  assert.equal(enc.store.countTrainable(), 21_797_672 - 513_000);
  enc.store.dispose();
});

Deno.test("resnet: output shapes for both stems, 1 channel and a width multiplier", () => {
  const cases = [
    { stem: "cifar", inChannels: 3, w: 0.125, side: 8 },
    { stem: "imagenet", inChannels: 1, w: 0.125, side: 32 },
  ] as const;
  for (const c of cases) {
    const enc = resnet("resnet18", {
      stem: c.stem,
      inChannels: c.inChannels,
      widthMultiplier: c.w,
    });
    const y = tf.tidy(() =>
      enc.apply(tf.ones([2, c.side, c.side, c.inChannels]), { training: false })
    );
    assert.deepEqual(y.shape, [2, 64]);
    y.dispose();
    enc.store.dispose();
  }
});

Deno.test("resnet: torchvision names (conv1, bn1, layer1.0.conv1, downsample)", () => {
  const enc = resnet("resnet18", { widthMultiplier: 0.125 });
  const names = enc.store.all().map((p) => p.name);
  for (
    const n of [
      "encoder.conv1.weight",
      "encoder.bn1.running_mean",
      "encoder.layer1.0.conv1.weight",
      "encoder.layer2.0.downsample.0.weight",
      "encoder.layer4.1.bn2.num_batches_tracked",
    ]
  ) {
    assert.ok(names.includes(n), n);
  }
  assert.deepEqual(enc.store.get("encoder.conv1.weight").variable.shape, [7, 7, 3, 8]);
  enc.store.dispose();
});

Deno.test("SimCLR model: small net and projection heads (1, 2, 3 layers) give [N, 128]", () => {
  for (const layers of [1, 2, 3]) {
    const m = createModel({
      encoder: "small",
      smallWidths: { stem: 4, stages: [4, 8, 8] },
      head: { layers, hiddenDim: 16 },
    });
    const { h, z } = tf.tidy(() => m.apply(tf.ones([2, 8, 8, 3]), { training: false }));
    assert.deepEqual(h.shape, [2, 8]);
    assert.deepEqual(z.shape, [2, 128]);
    tf.dispose([h, z]);
    m.dispose();
  }
});

Deno.test("init: seeded, backend-independent, Kaiming fan_out std, BN weight 1 bias 0", async () => {
  const a = resnet("resnet18", { seed: 7 });
  const b = resnet("resnet18", { seed: 7 });
  const w = Array.from(await a.store.get("encoder.layer3.0.conv1.weight").variable.data());
  assert.deepEqual(
    w,
    Array.from(await b.store.get("encoder.layer3.0.conv1.weight").variable.data()),
  );
  // conv 3x3 128 -> 256: std = sqrt(2 / (256 * 9))
  const mean = w.reduce((s, x) => s + x, 0) / w.length;
  const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(std / Math.sqrt(2 / (256 * 9)) - 1) < 0.01, `std ${std}`);
  assert.ok((await a.store.get("encoder.bn1.weight").variable.data()).every((x) => x === 1));
  assert.ok((await a.store.get("encoder.bn1.bias").variable.data()).every((x) => x === 0));
  a.store.dispose();
  b.store.dispose();
});

Deno.test("projection head output: linear (Linear with bias) or google's linear-bn (no bias, BN without shift)", async () => {
  const cfg = (output: "linear" | "linear-bn") =>
    createModel({
      encoder: "small",
      smallWidths: { stem: 4, stages: [4, 8, 8] },
      head: { layers: 2, hiddenDim: 16, outDim: 6, output },
      seed: 3,
    });
  const plain = cfg("linear"), google = cfg("linear-bn");
  const names = (m: typeof plain) =>
    m.store.all().map((p) => p.name).filter((n) => n.startsWith("head."));
  assert.deepEqual(names(plain), [
    "head.0.weight",
    "head.1.weight",
    "head.1.bias",
    "head.1.running_mean",
    "head.1.running_var",
    "head.1.num_batches_tracked",
    "head.3.weight",
    "head.3.bias",
  ]);
  assert.deepEqual(names(google), [
    ...names(plain).slice(0, 7),
    "head.4.weight",
    "head.4.running_mean",
    "head.4.running_var",
    "head.4.num_batches_tracked",
  ]);
  // Trainable scalars of the head: 8x16 + 2x16 hidden, then 16x6 + 6 (the bias, or the BN scale).
  const headCount = (m: typeof plain) =>
    m.store.trainable().filter((p) => p.name.startsWith("head.")).reduce(
      (n, p) => n + p.variable.size,
      0,
    );
  assert.equal(headCount(plain), 8 * 16 + 2 * 16 + 16 * 6 + 6);
  assert.equal(headCount(google), 8 * 16 + 2 * 16 + 16 * 6 + 6);
  assert.equal(google.store.countTrainable(), plain.store.countTrainable());
  // Training mode: z = gamma * (y - mean) / sqrt(var + eps) with y the output Linear's product,
  // computed here from the weights with plain tensor ops.
  const x = tf.randomNormal([5, 8, 8, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const ctx = { training: true };
  const [got, want] = tf.tidy(() => {
    const h = google.encoder.apply(x, ctx);
    const hid = google.head.hidden[0];
    const a = hid.bn.apply(hid.linear.apply(h), ctx, true) as tf.Tensor2D;
    const y = tf.matMul(a, google.store.get("head.3.weight").variable as tf.Tensor2D);
    const { mean, variance } = tf.moments(y, 0);
    const ref = tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return [google.apply(x, ctx).z, ref];
  });
  const g = await got.data(), w = await want.data();
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - w[i]) < 1e-4, `${g[i]} vs ${w[i]}`);
  // The scale trains; there is no shift to train.
  const grads = tf.variableGrads(
    () =>
      tf.sum(tf.mul(google.apply(x, ctx).z, tf.linspace(0, 1, 30).reshape([5, 6]))) as tf.Scalar,
    google.store.trainable().map((p) => p.variable),
  );
  const gamma = google.store.get("head.4.weight").variable.name;
  assert.ok(grads.grads[gamma], "gradient reaches the output BN scale");
  tf.dispose([x, got, want, grads.value, ...Object.values(grads.grads)]);
  assert.throws(
    () => createModel({ encoder: "small", head: { output: "bn" as never } }),
    /output 'bn' must be linear or linear-bn/,
  );
  plain.dispose();
  google.dispose();
});

Deno.test("zeroInitResidual: each residual branch's last BN starts at gamma 0, so a block starts as its shortcut", async () => {
  for (const [depth, last, blocks] of [["resnet18", "bn2", 8], ["resnet50", "bn3", 16]] as const) {
    const z = resnet(depth, { widthMultiplier: 0.125, zeroInitResidual: true, seed: 1 });
    const d = resnet(depth, { widthMultiplier: 0.125, seed: 1 });
    assert.equal(z.store.countTrainable(), d.store.countTrainable());
    let zeros = 0;
    for (const p of z.store.all()) {
      if (!p.name.endsWith(".weight") || p.variable.rank !== 1) continue;
      const v = await p.variable.data();
      const isLast = new RegExp(`layer\\d\\.\\d+\\.${last}\\.weight$`).test(p.name);
      assert.ok(v.every((x) => x === (isLast ? 0 : 1)), p.name);
      if (isLast) zeros++;
    }
    assert.equal(zeros, blocks, depth);
    // layer1.0 of resnet18 has no downsample: output relu(0 + x) = x for x >= 0.
    if (depth === "resnet18") {
      const x = tf.abs(tf.randomNormal([2, 4, 4, 8], 0, 1, "float32", 2)) as tf.Tensor4D;
      const y = tf.tidy(() => z.layers[0][0].apply(x, { training: true }));
      const a = await x.data(), b = await y.data();
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6);
      const y2 = tf.tidy(() => d.layers[0][0].apply(x, { training: true }));
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y2, x))));
      assert.ok((await diff.data())[0] > 0.1, "the default init differs");
      diff.dispose();
      tf.dispose([x, y, y2]);
    }
    z.store.dispose();
    d.store.dispose();
  }
  assert.throws(
    () => createModel({ encoder: "small", zeroInitResidual: true }),
    /small encoder has no residual blocks/,
  );
});
