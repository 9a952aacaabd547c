import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { ParamStore } from "../../src/model/params.ts";
import { Lars } from "../../src/train/lars.ts";
import { MomentumSgd } from "../../src/train/sgd.ts";
import { AdamW } from "../../src/train/adamw.ts";

await tf.setBackend("cpu");

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6, what = "") {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])),
      `${what}[${i}]: ${a[i]} vs ${b[i]}`,
    );
  }
}

function setup() {
  const store = new ParamStore(3);
  const w = store.create("fc.weight", [2, 2], { kind: "constant", value: 0 }, ["weight"], "io");
  const b = store.create("fc.bias", [2], { kind: "constant", value: 0 }, ["bias"]);
  w.variable.assign(tf.tensor2d([[1, -2], [3, 0.5]]));
  b.variable.assign(tf.tensor1d([0.5, -1]));
  return { store, w, b };
}

/** One LARS step in plain arrays (official SimCLR rule). */
function plainLars(w: number[], g: number[], v: number[], lr: number, o: {
  momentum: number;
  wd: number;
  trustCoefficient: number;
  excluded: boolean;
}) {
  const gg = o.excluded ? g : g.map((x, i) => x + o.wd * w[i]);
  let scaled = lr;
  if (!o.excluded) {
    const wn = Math.hypot(...w);
    const gn = Math.hypot(...gg);
    scaled = wn > 0 && gn > 0 ? lr * o.trustCoefficient * wn / gn : lr;
  }
  const nv = v.map((x, i) => o.momentum * x + scaled * gg[i]);
  return { w: w.map((x, i) => x - nv[i]), v: nv };
}

Deno.test("Lars: two steps for a weight and an excluded bias match plain arrays", async () => {
  const { store, w, b } = setup();
  const opt = new Lars({ momentum: 0.9, weightDecay: 0.01, trustCoefficient: 0.001 });
  const gw = [0.1, -0.3, 0.2, 0.05];
  const gb = [0.4, -0.2];
  let pw = { w: [1, -2, 3, 0.5], v: [0, 0, 0, 0] };
  let pb = { w: [0.5, -1], v: [0, 0] };
  for (const lr of [0.5, 0.25]) {
    const grads = { "fc.weight": tf.tensor2d(gw, [2, 2]), "fc.bias": tf.tensor1d(gb) };
    opt.apply(store.trainable(), grads, lr);
    tf.dispose(Object.values(grads));
    pw = plainLars(pw.w, gw, pw.v, lr, {
      momentum: 0.9,
      wd: 0.01,
      trustCoefficient: 0.001,
      excluded: false,
    });
    pb = plainLars(pb.w, gb, pb.v, lr, {
      momentum: 0.9,
      wd: 0.01,
      trustCoefficient: 0.001,
      excluded: true,
    });
    close(await w.variable.data(), pw.w, 1e-6, "weight");
    close(await b.variable.data(), pb.w, 1e-6, "bias");
  }
  assert.equal(opt.state().iterations, 2);
  opt.dispose();
  store.dispose();
});

Deno.test("Lars: zero gradient norm gives trust ratio 1 (weight unchanged but for decay)", async () => {
  const { store, w } = setup();
  const opt = new Lars({ weightDecay: 0 });
  const grads = { "fc.weight": tf.zeros([2, 2]) };
  opt.apply(store.trainable(), grads, 1);
  close(await w.variable.data(), [1, -2, 3, 0.5]);
  tf.dispose(Object.values(grads));
  opt.dispose();
  store.dispose();
});

Deno.test("MomentumSgd: two steps match PyTorch's rule in plain arrays", async () => {
  const { store, w, b } = setup();
  const opt = new MomentumSgd({ momentum: 0.9, weightDecay: 0.1 });
  const g = [0.1, -0.3, 0.2, 0.05];
  let pw = [1, -2, 3, 0.5];
  let v = [0, 0, 0, 0];
  for (const lr of [0.1, 0.05]) {
    const grads = { "fc.weight": tf.tensor2d(g, [2, 2]), "fc.bias": tf.tensor1d([1, 1]) };
    opt.apply(store.trainable(), grads, lr);
    tf.dispose(Object.values(grads));
    const gg = g.map((x, i) => x + 0.1 * pw[i]);
    v = v.map((x, i) => 0.9 * x + gg[i]);
    pw = pw.map((x, i) => x - lr * v[i]);
  }
  close(await w.variable.data(), pw);
  // bias: excluded from decay: v = 1, then 1.9; b = 0.5 - 0.1 - 0.095
  close(await b.variable.data(), [0.5 - 0.1 - 0.095, -1 - 0.1 - 0.095]);
  opt.dispose();
  store.dispose();
});

Deno.test("AdamW: one step matches the plain-array rule", async () => {
  const { store, w } = setup();
  const opt = new AdamW({ weightDecay: 0.1 });
  const g = [0.1, -0.3, 0.2, 0.05];
  const grads = { "fc.weight": tf.tensor2d(g, [2, 2]) };
  opt.apply(store.trainable(), grads, 0.01);
  tf.dispose(Object.values(grads));
  // step 1: m_hat = g, v_hat = g^2, update = g / (|g| + eps) = sign(g)
  const want = [1, -2, 3, 0.5].map((x, i) =>
    x * (1 - 0.01 * 0.1) - 0.01 * g[i] / (Math.abs(g[i]) + 1e-8)
  );
  close(await w.variable.data(), want, 1e-6);
  opt.dispose();
  store.dispose();
});

Deno.test("optimizer state: loading another optimizer's state is refused", () => {
  const lars = new Lars();
  const sgd = new MomentumSgd();
  assert.throws(() => lars.loadState(sgd.state()), /is for 'sgd' but this run uses 'lars'/);
});
