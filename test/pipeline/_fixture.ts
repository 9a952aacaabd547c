/**
 * A tiny labelled IDX dataset (MNIST layout, gzipped) written to a temporary folder, and a
 * pipeline config that trains on it in seconds.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { parsePipeline } from "../../src/config/load.ts";
import type { PipelineConfig } from "../../src/config/pipeline.ts";
import { decodeSafetensors } from "../../src/model/safetensors.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { encodePng } from "../data/fixtures/png.ts";

/** Side of the fixture's images. */
export const SIDE = 12;

/** An image of class `label` (0..3): bars whose direction depends on the class, plus noise. */
export function fixtureImage(i: number, label: number): Uint8Array {
  const px = new Uint8Array(SIDE * SIDE);
  let h = (i * 2654435761) >>> 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      h = (h * 1664525 + 1013904223) >>> 0;
      const on = label === 0
        ? y % 4 < 2
        : label === 1
        ? x % 4 < 2
        : label === 2
        ? (x + y) % 4 < 2
        : Math.abs(x - SIDE / 2) + Math.abs(y - SIDE / 2) < SIDE / 3;
      px[y * SIDE + x] = (on ? 200 : 30) + (h >>> 27);
    }
  }
  return px;
}

/** {@link fixtureImage} as a gray PNG; `cut`: its last 40 bytes cut off, so decoding it fails. */
export async function fixturePng(i: number, label: number, cut = false): Promise<Uint8Array> {
  const png = await encodePng({
    width: SIDE,
    height: SIDE,
    colorType: 0,
    samples: fixtureImage(i, label),
  });
  return cut ? png.slice(0, png.length - 40) : png;
}

function idxImages(n: number, labels: Uint8Array, offset: number): Uint8Array {
  const head = new DataView(new ArrayBuffer(16));
  head.setUint32(0, 0x00000803);
  head.setUint32(4, n);
  head.setUint32(8, SIDE);
  head.setUint32(12, SIDE);
  const out = new Uint8Array(16 + n * SIDE * SIDE);
  out.set(new Uint8Array(head.buffer));
  for (let i = 0; i < n; i++) out.set(fixtureImage(offset + i, labels[i]), 16 + i * SIDE * SIDE);
  return out;
}

function idxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const head = new DataView(out.buffer);
  head.setUint32(0, 0x00000801);
  head.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

/** Writes train (`nTrain`) and test (`nTest`) splits in MNIST's file layout; returns the folder. */
export async function writeFixtureDataset(nTrain = 96, nTest = 32): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "simclr-fixture-" });
  for (const [prefix, n, offset] of [["train", nTrain, 0], ["t10k", nTest, 100000]] as const) {
    const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7 + offset) % 4);
    await Deno.writeFile(
      `${dir}/${prefix}-images-idx3-ubyte.gz`,
      gzipSync(idxImages(n, labels, offset)),
    );
    await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte.gz`, gzipSync(idxLabels(labels)));
  }
  return dir;
}

/** A pipeline that trains the small net on the fixture: 16 pairs a step, 6 steps an epoch. */
export function fixtureConfig(
  dataDir: string,
  outDir: string,
  overrides: string[] = [],
): PipelineConfig {
  const text = `
run: { name: fixture, outDir: ${outDir}, seed: 3 }
data: { dataset: mnist, path: ${dataDir}, workers: 0, prefetch: 1 }
augment: { preset: simclr-gray, size: ${SIDE} }
model:
  encoder: small
  stem: cifar
  inChannels: 1
  head: { layers: 2, hidden: 16, out: 8 }
loss: { temperature: 0.5 }
optim: { name: lars, baseLr: 0.3, epochs: 2, warmupEpochs: 0.5, batchSize: 16 }
train: { backend: wasm, logEvery: 1, checkpointEvery: 1 }
eval:
  knn: { k: 5 }
  linearProbe: { enabled: true, maxIterations: 50 }
`;
  return parsePipeline(text, "fixture.yaml", { overrides });
}

/** The model tensors of a run's checkpoint, by name (`model/...`). */
export async function checkpointModel(runDir: string): Promise<Map<string, Float32Array>> {
  const file = decodeSafetensors(await Deno.readFile(runFiles(runDir).checkpoint), runDir);
  const m = new Map<string, Float32Array>();
  for (const [name, t] of file.tensors) {
    if (name.startsWith("model/")) m.set(name, t.data as Float32Array);
  }
  return m;
}

/** The loss of each logged step of a `metrics.jsonl` file, by step. */
export async function metricLosses(path: string): Promise<Map<number, number>> {
  const lines = (await Deno.readTextFile(path)).trim().split("\n");
  return new Map(lines.map((l) => JSON.parse(l)).map((m) => [m.step, m.loss]));
}

/** Asserts that runs `a` and `b` end with the same weights and logged the same losses, bitwise. */
export async function assertSameRun(a: string, b: string, steps: number): Promise<void> {
  const ma = await checkpointModel(a);
  const mb = await checkpointModel(b);
  assert.equal(ma.size, mb.size);
  for (const [name, va] of ma) assert.deepEqual(mb.get(name), va, `${name} differs after resume`);
  const la = await metricLosses(runFiles(a).metrics);
  const lb = await metricLosses(runFiles(b).metrics);
  for (let step = 1; step <= steps; step++) {
    assert.equal(lb.get(step), la.get(step), `loss ${step}`);
  }
}
