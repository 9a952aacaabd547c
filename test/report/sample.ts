/** A synthetic run for report tests: metrics, evaluation numbers and view pairs. */
import type { ReportInput, ViewPairImage } from "../../src/report/mod.ts";
import type { StepMetrics } from "../../src/train/step_metrics.ts";
import { parsePipeline } from "../../src/config/mod.ts";

/** 3 epochs x 40 steps of plausible SimCLR curves (deterministic noise). */
export function sampleMetrics(): StepMetrics[] {
  let s = 42;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const out: StepMetrics[] = [];
  const total = 120, warm = 20, peak = 0.3;
  for (let step = 1; step <= total; step++) {
    const p = step / total;
    const lr = step <= warm
      ? peak * step / warm
      : peak * 0.5 * (1 + Math.cos(Math.PI * (step - warm) / (total - warm)));
    out.push({
      step,
      epoch: Math.floor((step - 1) / 40),
      loss: 6.2 - 2.4 * (1 - Math.exp(-4 * p)) + 0.18 * rnd(),
      accuracy: Math.min(1, Math.max(0, 0.05 + 0.6 * (1 - Math.exp(-3.5 * p)) + 0.06 * rnd())),
      lr,
      onlineLoss: 2.3 - 1.8 * (1 - Math.exp(-3 * p)) + 0.1 * rnd(),
      onlineTop1: Math.min(1, Math.max(0, 0.1 + 0.72 * (1 - Math.exp(-3 * p)) + 0.05 * rnd())),
      imagesPerSec: 180 + 25 * rnd() - (step % 40 === 1 ? 90 : 0),
      ...waitAndCompute(Math.max(0, 0.08 + 0.06 * rnd() + (step % 40 === 1 ? 0.5 : 0))),
      time: new Date(Date.UTC(2026, 0, 2, 3, 0, 0) + step * 2800).toISOString(),
    });
  }
  return out;
}

/** Milliseconds of a 2.8 s step of which `share` waited for data. */
function waitAndCompute(share: number): { waitMs: number; computeMs: number } {
  return { waitMs: 2800 * share, computeMs: 2800 * (1 - share) };
}

/** Deterministic pattern images standing in for augmented views: gray 28x28 and RGB 32x32. */
export function samplePairs(): ViewPairImage[] {
  const pairs: ViewPairImage[] = [];
  for (let k = 0; k < 8; k++) {
    const rgb = k >= 4;
    const size = rgb ? 32 : 28, channels = rgb ? 3 : 1;
    const make = (shift: number, flip: boolean) => {
      const px = new Uint8Array(size * size * channels);
      for (let y = 0; y < size; y++) {
        for (let x0 = 0; x0 < size; x0++) {
          const x = flip ? size - 1 - x0 : x0;
          const r = Math.hypot(x - size / 2 - shift, y - size / 2 + k);
          const v = r < size / 3 ? 230 - 4 * r : ((x + y + k * 3) % 8 < 4 ? 40 : 90);
          for (let c = 0; c < channels; c++) {
            px[(y * size + x0) * channels + c] = Math.max(
              0,
              Math.min(255, v * (1 - 0.3 * c * (k % 3) / 2) + shift * 8 * c),
            );
          }
        }
      }
      return px;
    };
    pairs.push({
      key: rgb ? `cifar10/train[${k * 97}]` : `fashion-mnist/train[${k * 131}]`,
      width: size,
      height: size,
      channels,
      view1: make(k % 3, false),
      view2: make(-2 + (k % 4), true),
    });
  }
  return pairs;
}

/** A full report input from the shipped default config. */
export function sampleReport(): ReportInput {
  return {
    config: parsePipeline(
      Deno.readTextFileSync(new URL("../../pipelines/fashion-mnist.yaml", import.meta.url)),
      "fashion-mnist.yaml",
    ),
    metrics: sampleMetrics(),
    eval: {
      pretrained: { knnTop1: 0.8312, knnTop5: 0.9874, linearTop1: 0.8566, onlineTop1: 0.8412 },
      random: { knnTop1: 0.7408, knnTop5: 0.9602, linearTop1: 0.7793 },
      trainCount: 10000,
      testCount: 2000,
    },
    viewPairs: samplePairs(),
    results: [{
      title: "Fine-tuning with 1% of the labels",
      note: "600 labelled training images, 60 per class",
      rows: [
        { name: "fine-tuned, pretrained encoder", top1: 0.7921, top5: 0.9902 },
        { name: "fine-tuned, random-init encoder", top1: 0.6833, top5: 0.9733 },
        { name: "linear probe on the same labels", note: "frozen encoder", top1: 0.7712 },
      ],
    }],
    info: { backend: "wasm" },
    generatedAt: new Date("2026-01-02T03:04:05Z"),
  };
}
