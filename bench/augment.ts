/**
 * `deno task bench augment [--seconds S] [--rounds N] [--no-torchvision]`: view pairs per
 * second on one core, for 32x32 RGB with `simclr-cifar` and 256x256 -> 224x224 with
 * `simclr-v1` (and 28x28 gray with `simclr-gray`); compared with torchvision's PIL-based
 * pipeline (bench/augment_torchvision.py) when Debian's /usr/bin/python3 has torchvision.
 * Ours and torchvision's alternate for N rounds and the best of each is shown, so that a
 * load that comes and goes on a shared machine favours neither side.
 */

import type { RawImage } from "../src/data/sample.ts";
import { pairedViews } from "../src/augment/mod.ts";

const args = Deno.args.slice(Deno.args[0] === "augment" ? 1 : 0);
const secIdx = args.indexOf("--seconds");
const seconds = secIdx >= 0 ? Number(args[secIdx + 1]) : 2;
const roundIdx = args.indexOf("--rounds");
const rounds = Math.max(1, roundIdx >= 0 ? Number(args[roundIdx + 1]) : 2);
const skipTorch = args.includes("--no-torchvision");

/** A smooth, deterministic test image (gradients plus a pattern), like natural content. */
function syntheticImage(side: number, seed: number, channels: 1 | 3): RawImage {
  const data = new Uint8Array(side * side * 3);
  let i = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      data[i++] = (x * 255 / side + seed * 37) & 255;
      data[i++] = (y * 255 / side + seed * 11) & 255;
      data[i++] = (128 + 100 * Math.sin((x + y + seed) / 7)) & 255;
    }
  }
  const key = `synthetic-${side}-${seed}`;
  if (channels === 3) return { key, width: side, height: side, channels, data };
  return { key, width: side, height: side, channels, data: data.filter((_, j) => j % 3 === 0) };
}

interface Case {
  name: string;
  preset: string;
  input: number;
  size: number;
  channels: 1 | 3;
}

const cases: Case[] = [
  { name: "cifar", preset: "simclr-cifar", input: 32, size: 32, channels: 3 },
  { name: "imagenet", preset: "simclr-v1", input: 256, size: 224, channels: 3 },
  { name: "fmnist", preset: "simclr-gray", input: 28, size: 28, channels: 1 },
];

function measure(c: Case): number {
  const views = pairedViews({ preset: c.preset, size: c.size }, 0);
  const images = Array.from({ length: 8 }, (_, i) => syntheticImage(c.input, i, c.channels));
  let index = 0;
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) views(images[index % 8], 0, index++);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (let k = 0; k < 8; k++) views(images[(n + k) % 8], 1, n + k);
    n += 8;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

function torchvision(): Record<string, number | string> | string {
  if (skipTorch) return "skipped (--no-torchvision)";
  const python = "/usr/bin/python3";
  const script = new URL("augment_torchvision.py", import.meta.url).pathname;
  try {
    const probe = new Deno.Command(python, { args: ["-c", "import torchvision, PIL"] })
      .outputSync();
    if (!probe.success) {
      return `skipped: ${python} has no torchvision (apt-get install python3-torchvision)`;
    }
    const out = new Deno.Command(python, { args: [script, "--seconds", String(seconds)] })
      .outputSync();
    if (!out.success) {
      return `failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").pop()}`;
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (err) {
    return `skipped: ${python} not runnable (${(err as Error).message})`;
  }
}

const best = new Map<string, number>();
let torch: Record<string, number | string> | string = "";
const tvBest = new Map<string, number>();
for (let round = 0; round < rounds; round++) {
  for (const c of cases) best.set(c.name, Math.max(best.get(c.name) ?? 0, measure(c)));
  const tv = torchvision();
  if (typeof tv === "string") {
    torch = tv;
    continue;
  }
  torch = tv;
  for (const c of cases) {
    const r = tv[c.name];
    if (typeof r === "number") tvBest.set(c.name, Math.max(tvBest.get(c.name) ?? 0, r));
  }
}
const ours = cases.map((c) => ({ c, rate: best.get(c.name)! }));
console.log(
  `augmentation, view pairs per second on one core (${seconds} s per case, best of ${rounds} ` +
    `alternating rounds)`,
);
console.log("case       preset        input   output       ours  torchvision  ratio");
for (const { c, rate } of ours) {
  const tv = tvBest.get(c.name);
  console.log(
    [
      c.name.padEnd(10),
      c.preset.padEnd(13),
      `${c.input}`.padStart(5),
      `${c.size}x${c.channels}`.padStart(8),
      rate.toFixed(0).padStart(10),
      (tv === undefined ? "-" : tv.toFixed(0)).padStart(12),
      (tv === undefined ? "-" : `${(rate / tv).toFixed(2)}x`).padStart(6),
    ].join(" "),
  );
}
if (typeof torch === "string") console.log(`torchvision: ${torch}`);
else {
  console.log(
    `torchvision: PIL-based SimCLR pipeline, torch.set_num_threads(1), ${torch.versions} ` +
      "(bench/augment_torchvision.py)",
  );
}
