import assert from "node:assert/strict";
import { pairedViews } from "../../src/augment/paired.ts";
import { noise } from "./_images.ts";

Deno.test("a fixed seed gives identical pairs, whatever else was computed before", () => {
  const img = noise(32, 32, 3, 4);
  const a = pairedViews("simclr-cifar", 42);
  const b = pairedViews({ preset: "simclr-cifar", seed: 42 });
  for (let i = 0; i < 5; i++) a(img, 0, i); // a worker that did other work first
  const pa = a(img, 3, 17), pb = b(img, 3, 17);
  assert.deepEqual(pa.view1, pb.view1);
  assert.deepEqual(pa.view2, pb.view2);
  assert.notDeepEqual(a(img, 3, 18).view1, pa.view1, "another index gives other views");
  assert.notDeepEqual(a(img, 4, 17).view1, pa.view1, "another epoch gives other views");
  assert.notDeepEqual(
    pairedViews("simclr-cifar", 43)(img, 3, 17).view1,
    pa.view1,
    "another seed too",
  );
});

Deno.test("the two views of a pair differ; fields are filled from the image", () => {
  const img = { ...noise(256, 256, 3, 5), key: "img-5", label: 7 };
  const views = pairedViews({ preset: "simclr-v1" }, 1);
  for (let i = 0; i < 3; i++) {
    const p = views(img, 2, i);
    assert.notDeepEqual(p.view1, p.view2);
    assert.deepEqual(
      [p.key, p.label, p.size, p.channels, p.epoch, p.index, p.view1.length, p.view2.length],
      ["img-5", 7, 224, 3, 2, i, 224 * 224 * 3, 224 * 224 * 3],
    );
    assert.notEqual(p.view1.buffer, p.view2.buffer);
  }
});

Deno.test("1-channel Fashion-MNIST-sized input with simclr-gray", () => {
  const p = pairedViews("simclr-gray", 0)(noise(28, 28, 1), 0, 0);
  assert.deepEqual([p.size, p.channels, p.view1.length, "label" in p], [28, 1, 784, false]);
  assert.throws(
    () => pairedViews("simclr-cifar", 0)(noise(32, 32, 1), 0, 0),
    /mean has 3 values for a 1-channel/,
  );
});

Deno.test("end to end, about 20% of views come out gray (equal channels)", () => {
  // Saturated colours everywhere; with simclr-cifar saturation never drops below 0.6, so
  // only the grayscale step can make the channels equal.
  const side = 16, data = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    data.set([[230, 20, 20], [20, 230, 20], [20, 20, 230]][i % 3], 3 * i);
  }
  const img = { key: "rgb", width: side, height: side, channels: 3 as const, data };
  const spec = { preset: "simclr-cifar", size: 8, mean: [0], std: [1] };
  const views = pairedViews(spec, 9);
  const n = 1500;
  let gray = 0;
  for (let i = 0; i < n; i++) {
    const { view1, view2 } = views(img, 0, i);
    for (const v of [view1, view2]) {
      let equal = true;
      for (let p = 0; p < v.length && equal; p += 3) equal = v[p] === v[p + 1] && v[p] === v[p + 2];
      gray += +equal;
    }
  }
  const sd = Math.sqrt(2 * n * 0.2 * 0.8);
  assert.ok(Math.abs(gray - 2 * n * 0.2) < 5 * sd, `${gray} gray views of ${2 * n}`);
});
