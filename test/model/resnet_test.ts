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

Deno.test("SimCLR model: bench net and projection heads (1, 2, 3 layers) give [N, 128]", () => {
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
