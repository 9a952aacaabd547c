import * as tf from "@tensorflow/tfjs";
import { assertClose, on, rand } from "./_compare.ts";

type Pad = "same" | "valid";
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: Pad;
}

const cases: Case[] = [];
for (const k of [1, 3, 7]) {
  for (const s of [1, 2]) {
    for (const pad of ["same", "valid"] as Pad[]) {
      cases.push({ n: 2, h: 9, w: 8, ci: 3, co: 5, k, s, pad });
    }
  }
}
// Batch 1, odd sizes everywhere, and a wide-channel case.
cases.push({ n: 1, h: 7, w: 11, ci: 4, co: 6, k: 3, s: 2, pad: "same" });
cases.push({ n: 3, h: 5, w: 5, ci: 16, co: 8, k: 3, s: 1, pad: "same" });
cases.push({ n: 1, h: 10, w: 10, ci: 2, co: 3, k: 7, s: 2, pad: "same" });
cases.push({ n: 1, h: 8, w: 9, ci: 5, co: 2, k: 1, s: 2, pad: "valid" });
// Fewer input than output channels at stride 1: x is packed as the filter (stem-like).
cases.push({ n: 3, h: 7, w: 6, ci: 2, co: 9, k: 3, s: 1, pad: "same" });
cases.push({ n: 2, h: 9, w: 9, ci: 3, co: 8, k: 7, s: 1, pad: "valid" });
cases.push({ n: 2, h: 5, w: 8, ci: 1, co: 4, k: 1, s: 1, pad: "valid" });

function outSize(size: number, k: number, s: number, pad: Pad): number {
  return pad === "same" ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s);
}

function name(c: Case): string {
  return `${c.n}x${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad}`;
}

for (const c of cases) {
  const ho = outSize(c.h, c.k, c.s, c.pad), wo = outSize(c.w, c.k, c.s, c.pad);
  const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: "NHWC" };
  Deno.test(`Conv2DBackpropInput matches cpu: ${name(c)}`, async () => {
    const f = () =>
      tf.engine().runKernel(tf.Conv2DBackpropInput, {
        dy: rand([c.n, ho, wo, c.co], 1),
        filter: rand([c.k, c.k, c.ci, c.co], 2),
      }, { ...attrs, inputShape: [c.n, c.h, c.w, c.ci] }) as tf.Tensor;
    assertClose(await on("wasm", f), await on("cpu", f), 1e-4, name(c));
  });
  Deno.test(`Conv2DBackpropFilter matches cpu: ${name(c)}`, async () => {
    const f = () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, {
        x: rand([c.n, c.h, c.w, c.ci], 3),
        dy: rand([c.n, ho, wo, c.co], 4),
      }, { ...attrs, filterShape: [c.k, c.k, c.ci, c.co] }) as tf.Tensor;
    assertClose(await on("wasm", f), await on("cpu", f), 1e-4, name(c));
  });
}

for (const c of cases) {
  Deno.test(`Conv2D forward matches cpu: ${name(c)}`, async () => {
    const f = () =>
      tf.conv2d(
        rand([c.n, c.h, c.w, c.ci], 5) as tf.Tensor4D,
        rand([c.k, c.k, c.ci, c.co], 6) as tf.Tensor4D,
        c.s,
        c.pad,
      );
    assertClose(await on("wasm", f), await on("cpu", f), 1e-4, name(c));
  });
}
