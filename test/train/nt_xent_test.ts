import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { ntXentLoss } from "../../src/train/nt_xent.ts";

await tf.setBackend("cpu");

/** NT-Xent in plain float64 arrays, written from the definition; extra rows are negatives. */
function plainNtXent(z1: number[][], z2: number[][], tau: number, extra: number[][] = []) {
  const norm = (v: number[]) => {
    const s = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / s);
  };
  const n = z1.length;
  const z = [...z1, ...z2].map(norm);
  const cands = [...z, ...extra.map(norm)];
  let loss = 0;
  let correct = 0;
  for (let a = 0; a < 2 * n; a++) {
    const pos = (a + n) % (2 * n);
    const logits = cands.map((c, j) =>
      j === a ? -Infinity : z[a].reduce((s, x, k) => s + x * c[k], 0) / tau
    );
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    loss += lse - logits[pos];
    if (logits.indexOf(max) === pos) correct++;
  }
  return { loss: loss / (2 * n), accuracy: correct / (2 * n) };
}

async function tfLoss(z1: number[][], z2: number[][], tau: number) {
  const r = ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), tau);
  const out = { loss: (await r.loss.data())[0], accuracy: (await r.accuracy.data())[0] };
  tf.dispose([r.loss, r.accuracy]);
  return out;
}

Deno.test("ntXentLoss: identical pairs: log(e^(1/tau) + 2) - 1/tau, accuracy 1", async () => {
  const e = [[1, 0], [0, 1]];
  const tau = 0.5;
  const r = await tfLoss(e, e, tau);
  const expected = Math.log(Math.exp(1 / tau) + 2) - 1 / tau;
  assert.ok(Math.abs(r.loss - expected) < 1e-5, `${r.loss} vs ${expected}`);
  assert.equal(r.accuracy, 1);
});

Deno.test("ntXentLoss: orthogonal vectors everywhere: log(3)", async () => {
  const z1 = [[1, 0, 0, 0], [0, 1, 0, 0]];
  const z2 = [[0, 0, 3, 0], [0, 0, 0, 2]];
  const r = await tfLoss(z1, z2, 0.1);
  assert.ok(Math.abs(r.loss - Math.log(3)) < 1e-5, `${r.loss}`);
});

Deno.test("ntXentLoss: random vectors match the plain-array value and accuracy", async () => {
  const z1 = [[0.3, -1.2, 0.5], [1.1, 0.2, -0.4], [-0.7, 0.8, 0.9]];
  const z2 = [[0.2, -1.0, 0.9], [-0.3, 0.4, 1.2], [0.6, 0.1, -0.2]];
  for (const tau of [0.07, 0.5, 1]) {
    const want = plainNtXent(z1, z2, tau);
    const got = await tfLoss(z1, z2, tau);
    assert.ok(Math.abs(got.loss - want.loss) < 1e-4 * Math.max(1, want.loss), `tau ${tau}`);
    assert.ok(Math.abs(got.accuracy - want.accuracy) < 1e-6, `accuracy at tau ${tau}`);
  }
});

Deno.test("ntXentLoss: gradient matches central differences of the plain loss", async () => {
  const z1 = [[0.3, -1.2, 0.5], [1.1, 0.2, -0.4]];
  const z2 = [[0.2, -1.0, 0.9], [-0.3, 0.4, 1.2]];
  const tau = 0.2;
  const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
    const r = ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, tau);
    r.accuracy.dispose();
    return r.loss;
  })([tf.tensor2d(z1), tf.tensor2d(z2)]);
  const got = [await g1.array() as number[][], await g2.array() as number[][]];
  tf.dispose([g1, g2]);
  const h = 1e-6;
  for (const [which, z] of [[0, z1], [1, z2]] as const) {
    for (let i = 0; i < z.length; i++) {
      for (let k = 0; k < z[i].length; k++) {
        const plus = structuredClone(z);
        const minus = structuredClone(z);
        plus[i][k] += h;
        minus[i][k] -= h;
        const fp = which === 0 ? plainNtXent(plus, z2, tau) : plainNtXent(z1, plus, tau);
        const fm = which === 0 ? plainNtXent(minus, z2, tau) : plainNtXent(z1, minus, tau);
        const numeric = (fp.loss - fm.loss) / (2 * h);
        assert.ok(
          Math.abs(got[which][i][k] - numeric) < 1e-4,
          `d/dz${which + 1}[${i}][${k}]: ${got[which][i][k]} vs ${numeric}`,
        );
      }
    }
  }
});

Deno.test("ntXentLoss: stable at tau 0.01 with 256 pairs (finite loss and gradient)", async () => {
  const z1 = tf.randomNormal([256, 128], 0, 1, "float32", 1) as tf.Tensor2D;
  const z2 = tf.add(z1, tf.randomNormal([256, 128], 0, 0.1, "float32", 2)) as tf.Tensor2D;
  const g = tf.grad((a: tf.Tensor) => {
    const r = ntXentLoss(a as tf.Tensor2D, z2, 0.01);
    r.accuracy.dispose();
    return r.loss;
  })(z1);
  const r = ntXentLoss(z1, z2, 0.01);
  const loss = (await r.loss.data())[0];
  const grads = await g.data();
  assert.ok(Number.isFinite(loss), `loss ${loss}`);
  assert.ok(grads.every(Number.isFinite), "gradient has non-finite values");
  assert.equal((await r.accuracy.data())[0], 1);
  tf.dispose([z1, z2, g, r.loss, r.accuracy]);
});

Deno.test("ntXentLoss: gathered candidates add negatives (distributed seam)", async () => {
  const z1 = [[0.3, -1.2, 0.5], [1.1, 0.2, -0.4]];
  const z2 = [[0.2, -1.0, 0.9], [-0.3, 0.4, 1.2]];
  const other = [[0.5, 0.5, 0.1], [-1, 0.2, 0.3], [0.1, 0.1, 1], [0.9, -0.2, 0.4]];
  const tau = 0.3;
  const otherT = tf.tensor2d(other);
  const otherN = tf.div(otherT, tf.norm(otherT, 2, 1, true)) as tf.Tensor2D;
  const r = ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), tau, {
    gather: (local) => ({ candidates: tf.concat([local, otherN], 0), offset: 0 }),
  });
  const want = plainNtXent(z1, z2, tau, other);
  assert.ok(Math.abs((await r.loss.data())[0] - want.loss) < 1e-5);
  tf.dispose([otherT, otherN, r.loss, r.accuracy]);
});

Deno.test("ntXentLoss: mismatched shapes are refused with a clear error", () => {
  assert.throws(
    () => ntXentLoss(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([3, 3]) as tf.Tensor2D, 0.5),
    /must have the same shape/,
  );
});

/**
 * google-research/simclr's `add_contrastive_loss` (tf2/objective.py) in plain float64, written
 * from that code: per view-1 anchor a softmax cross-entropy over [logits_ab, logits_aa - mask],
 * per view-2 anchor over [logits_ba, logits_bb - mask], label = the partner; the loss is
 * `reduce_mean(loss_a + loss_b)` over the N pairs.
 */
function googleNtXent(z1: number[][], z2: number[][], tau: number): number {
  const norm = (v: number[]) => {
    const s = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / s);
  };
  const a = z1.map(norm), b = z2.map(norm);
  const n = a.length;
  const dot = (u: number[], v: number[]) => u.reduce((s, x, k) => s + x * v[k], 0) / tau;
  const xent = (logits: number[], label: number) => {
    const max = Math.max(...logits);
    return max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0)) - logits[label];
  };
  let total = 0;
  for (let i = 0; i < n; i++) {
    const lossA = xent([
      ...b.map((v) => dot(a[i], v)),
      ...a.map((v, j) => dot(a[i], v) - (j === i ? 1e9 : 0)),
    ], i);
    const lossB = xent([
      ...a.map((v) => dot(b[i], v)),
      ...b.map((v, j) => dot(b[i], v) - (j === i ? 1e9 : 0)),
    ], i);
    total += lossA + lossB;
  }
  return total / n;
}

Deno.test("ntXentLoss: reduction sum-of-directions is google's loss, 2x the mean; its gradient doubles", async () => {
  const z1 = [[0.3, -1.2, 0.5], [1.1, 0.2, -0.4], [-0.7, 0.8, 0.9]];
  const z2 = [[0.2, -1.0, 0.9], [-0.3, 0.4, 1.2], [0.6, 0.1, -0.2]];
  for (const tau of [0.1, 0.5]) {
    const google = googleNtXent(z1, z2, tau);
    const plain = plainNtXent(z1, z2, tau).loss;
    const r = ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), tau, { reduction: "sum-of-directions" });
    const got = (await r.loss.data())[0];
    assert.ok(Math.abs(got - google) < 1e-5 * google, `tau ${tau}: ${got} vs google ${google}`);
    assert.ok(Math.abs(google - 2 * plain) < 1e-9 * google, "google's loss is 2x the mean");
    const m = ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), tau, { reduction: "mean" });
    assert.ok(Math.abs((await m.loss.data())[0] - plain) < 1e-5 * plain, "mean is the default");
    tf.dispose([r.loss, r.accuracy, m.loss, m.accuracy]);
  }
  const grad = (reduction: "mean" | "sum-of-directions") =>
    tf.grad((a: tf.Tensor) => {
      const r = ntXentLoss(a as tf.Tensor2D, tf.tensor2d(z2), 0.2, { reduction });
      r.accuracy.dispose();
      return r.loss;
    })(tf.tensor2d(z1));
  const gm = await grad("mean").data(), gs = await grad("sum-of-directions").data();
  for (let i = 0; i < gm.length; i++) assert.ok(Math.abs(gs[i] - 2 * gm[i]) < 1e-6);
  assert.throws(
    () => ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), 0.5, { reduction: "sum" as never }),
    /reduction 'sum' must be mean or sum-of-directions/,
  );
});
