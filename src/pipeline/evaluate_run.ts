/**
 * Evaluation of a run: features `h` of the encoder in inference mode on the labelled train
 * split (the kNN bank and the probe's training set) and the test split, scored with kNN and the
 * linear probe; the same for a freshly initialized encoder as the floor. For an image folder the
 * splits are its split folders, or its train/test hold-out (see `imageFolderSplit`).
 */
import type { PipelineConfig } from "../config/pipeline.ts";
import { createDecoder } from "../data/decoders.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import { balancedSubset } from "../data/_balanced_subset.ts";
import type { ImageFolderDataset } from "../data/image_folder.ts";
import type { ImageFolderSplit } from "../data/image_folder_split.ts";
import { openDataset } from "../data/registry.ts";
import { type EvalScores, evaluateEncoder } from "../eval/evaluate.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { modelConfigOf } from "./build.ts";
import { evalBatches, indexRange } from "./_eval_data.ts";

/**
 * Scores of a run's encoder and of the random-init floor (kNN, linear probe, online
 * classifier: shares, 0..1), with the dataset and splits they were measured on.
 *
 * @example The pretrained encoder's gain over the floor
 * ```ts
 * import type { RunEvaluation } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const gain = (e: RunEvaluation) => (e.pretrained.knnTop1 ?? 0) - (e.random?.knnTop1 ?? 0);
 * const evaluation = {
 *   pretrained: { knnTop1: 0.81, knnTop5: 0.98, trainCount: 100, testCount: 50, dim: 512 },
 *   random: { knnTop1: 0.74, knnTop5: 0.96, trainCount: 100, testCount: 50, dim: 512 },
 *   dataset: "fashion-mnist", trainSplit: "train", testSplit: "test",
 * } as RunEvaluation;
 * assert.ok(Math.abs(gain(evaluation) - 0.07) < 1e-9);
 * ```
 */
export interface RunEvaluation {
  /** Scores of the run's encoder. */
  pretrained: EvalScores;
  /** The random-init floor, unless skipped. */
  random?: EvalScores;
  /** The evaluation dataset's name. */
  dataset: string;
  /** The split the kNN bank and the linear probe train on. */
  trainSplit: string;
  /** The split scored. */
  testSplit: string;
  /** Samples left out under `data.onError: skip` (unreadable or undecodable), bank and test. */
  skipped?: number;
}

/**
 * The labelled dataset evaluation reads: `eval.dataset` at `eval.path`, by default the
 * training dataset (`data.path` goes with it when `eval.dataset` is unset or the same).
 */
export function evalSource(cfg: PipelineConfig): { dataset: string; path: string | undefined } {
  const dataset = cfg.eval.dataset ?? cfg.data.dataset;
  const path = cfg.eval.path ?? (dataset === cfg.data.dataset ? cfg.data.path : undefined);
  return { dataset, path };
}

/**
 * Why `cfg` cannot be evaluated, known before any training (tar shards are streamed and hold
 * no random-access labelled split): undefined when it can.
 */
export function evalProblem(cfg: PipelineConfig): string | undefined {
  if (evalSource(cfg).dataset !== "tar") return undefined;
  return "evaluation needs a random-access labelled dataset, and tar shards are streamed: " +
    "name one with eval.dataset and eval.path (e.g. --set eval.dataset=imagefolder --set " +
    "eval.path=<folder of class folders>), or turn evaluation off with eval.enabled: false " +
    "(and eval.monitorEvery: 0)";
}

/** The labelled evaluation data: the bank split and the test split, each capped. */
export interface EvalData {
  bank: IndexedDataset;
  bankIndices: Int32Array;
  test: IndexedDataset;
  testIndices: Int32Array;
  trainSplit: string;
  testSplit: string;
}

/**
 * The indices evaluation reads under a cap (`eval.maxTrainSamples` / `maxTestSamples`): all
 * without one; for an image folder (whose path order is class order) a class-balanced sample
 * drawn with the run's seed (see `balancedSubset`); for other datasets the first `max`: the
 * named datasets' files come in a fixed, shuffled order, so that is already a near-balanced
 * sample (and stays comparable with earlier runs).
 */
export function evalSampleIndices(
  ds: IndexedDataset,
  max: number | undefined,
  seed: number,
): Int32Array {
  if (max === undefined || max >= ds.length) return indexRange(ds.length);
  const labels = (ds as Partial<ImageFolderDataset>).labels;
  return labels ? balancedSubset(labels, max, seed) : indexRange(max);
}

/**
 * Opens the labelled splits evaluation reads (`eval.trainSplit`, `eval.testSplit` of the
 * evaluation dataset) and the indices it scores under the caps; close both datasets after use.
 */
export async function openEvalData(cfg: PipelineConfig): Promise<EvalData> {
  const problem = evalProblem(cfg);
  if (problem) throw new RangeError(problem);
  const source = evalSource(cfg);
  const open = async (split: string, classes?: readonly string[]) => {
    const o = await openDataset(source.dataset, {
      path: source.path,
      split,
      classes,
      maxFileBytes: cfg.data.maxFileBytes,
    });
    if (o.kind !== "indexed") throw new Error(`${source.dataset} did not open as indexed`);
    return o.dataset;
  };
  // An image folder's test split is labelled by the train split's classes, so the two agree.
  const bank = await open(cfg.eval.trainSplit);
  const test = await open(
    cfg.eval.testSplit,
    source.dataset === "imagefolder" ? bank.classes : undefined,
  );
  const splitName = (ds: IndexedDataset, name: string) =>
    (ds as Partial<ImageFolderSplit>).split ?? name;
  return {
    bank,
    bankIndices: evalSampleIndices(bank, cfg.eval.maxTrainSamples, cfg.run.seed),
    test,
    testIndices: evalSampleIndices(test, cfg.eval.maxTestSamples, cfg.run.seed),
    trainSplit: splitName(bank, cfg.eval.trainSplit),
    testSplit: splitName(test, cfg.eval.testSplit),
  };
}

/**
 * Options of {@link evaluateRun}.
 *
 * @example kNN only, without the floor
 * ```ts
 * import type { EvaluateRunOptions } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const options: EvaluateRunOptions = {
 *   knnOnly: true, skipFloor: true, log: (l) => lines.push(l),
 * };
 * assert.equal(options.knnOnly && options.skipFloor, true);
 * ```
 */
export interface EvaluateRunOptions {
  /** Skip the linear probe (the kNN monitor during pretraining). */
  knnOnly?: boolean;
  /** Skip the random-init floor (default: `!eval.randomInitFloor`; the monitor skips it). */
  skipFloor?: boolean;
  /** The online classifier's weights: scored on the test features of `model`. */
  online?: { weights: Float32Array; bias: Float32Array };
  /** Where progress messages go (default: nowhere). */
  log?: (line: string) => void;
  /**
   * Under `data.onError: skip`, gets each sample left out (once, though both encoders read it):
   * the split it is in and the problem, naming it.
   */
  onSkip?: (split: string, problem: string) => void;
}

/**
 * Scores `model`'s encoder by kNN and a linear probe on the config's evaluation data
 * (`eval.*`), and a random-init encoder of the same architecture and seed as the floor (what
 * `deno task eval` runs). Start the backend first.
 *
 * @param cfg The run's config.
 * @param model The trained model.
 * @param options kNN only, no floor, the online classifier, logging.
 * @returns The scores.
 *
 * @example Evaluating a trained model
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { evaluateRun, loadRunModel, pretrain } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * // A tiny dataset in MNIST's file layout: 8x8 gray images of two classes.
 * const dir = await Deno.makeTempDir();
 * const gz = (magic: number, dims: number[], body: number[]) => {
 *   const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
 *   head.setUint32(0, magic);
 *   dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
 *   return gzipSync(Uint8Array.from([...new Uint8Array(head.buffer), ...body]));
 * };
 * for (const [split, n] of [["train", 16], ["t10k", 8]] as const) {
 *   const labels = Array.from({ length: n }, (_, i) => i % 2);
 *   // class 0: horizontal stripes, class 1: vertical ones
 *   const pixels = Array.from({ length: n * 64 }, (_, p) =>
 *     ((labels[p >> 6] ? p : p >> 3) % 8) * 30);
 *   await Deno.writeFile(`${dir}/${split}-images-idx3-ubyte.gz`, gz(0x803, [n, 8, 8], pixels));
 *   await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte.gz`, gz(0x801, [n], labels));
 * }
 * const cfg = parsePipeline(`
 * run: { outDir: ${dir}/runs }
 * data: { dataset: mnist, path: ${dir}, workers: 0 }
 * augment: { preset: simclr-gray, size: 8 }
 * model: { encoder: small, stem: cifar, inChannels: 1, head: { layers: 2, hidden: 8, out: 4 } }
 * optim: { epochs: 1, batchSize: 8, warmupEpochs: 0 }
 * train: { backend: wasm }
 * eval: { knn: { k: 3 }, linearProbe: { maxIterations: 20 } }
 * `, "tiny.yaml");
 * try {
 *   const { runDir } = await pretrain(cfg, { evaluate: false, progress: false, log: () => {} });
 *   const { model } = await loadRunModel(runDir, cfg);
 *   const evaluation = await evaluateRun(cfg, model, { knnOnly: true, skipFloor: true });
 *   model.dispose();
 *   assert.equal(evaluation.pretrained.testCount, 8);
 *   assert.equal(evaluation.pretrained.linearTop1, undefined); // knnOnly
 *   assert.equal(evaluation.random, undefined); // skipFloor
 *   const top1 = evaluation.pretrained.knnTop1 ?? -1;
 *   assert.ok(top1 >= 0 && top1 <= 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function evaluateRun(
  cfg: PipelineConfig,
  model: SimCLRModel,
  options: EvaluateRunOptions = {},
): Promise<RunEvaluation> {
  const data = await openEvalData(cfg);
  const decoder = await createDecoder(cfg.data.decoder, { maxPixels: cfg.data.maxPixels });
  const channels = cfg.model.inChannels;
  const evalOptions = {
    ...cfg.eval,
    linearProbe: {
      ...cfg.eval.linearProbe,
      enabled: cfg.eval.linearProbe.enabled && !options.knnOnly,
    },
  };
  const bad = new Map<string, Set<number>>([["bank", new Set()], ["test", new Set()]]);
  const onBad = (which: "bank" | "test", split: string) =>
    cfg.data.onError === "skip"
      ? (index: number, err: Error) => {
        const known = bad.get(which)!;
        if (known.has(index)) return;
        known.add(index);
        options.onSkip?.(split, err.message);
      }
      : undefined;
  const batchOptions = {
    augment: cfg.augment,
    channels,
    decoder,
    batchSize: cfg.eval.batchSize,
    crop: cfg.eval.crop,
    cropProportion: cfg.eval.cropProportion,
  };
  const score = async (m: SimCLRModel, what: string, online?: EvaluateRunOptions["online"]) => {
    const t0 = performance.now();
    const scores = await evaluateEncoder(
      (x) => m.encoder.apply(x, { training: false }),
      evalBatches(data.bank, {
        ...batchOptions,
        indices: data.bankIndices,
        onBad: onBad("bank", data.trainSplit),
      }),
      evalBatches(data.test, {
        ...batchOptions,
        indices: data.testIndices,
        onBad: onBad("test", data.testSplit),
      }),
      { ...evalOptions, online },
    );
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    options.log?.(
      `eval (${what}): kNN top-1 ${pct(scores.knnTop1)}` +
        (scores.linearTop1 !== undefined ? `, linear top-1 ${pct(scores.linearTop1)}` : "") +
        (scores.onlineTop1 !== undefined ? `, online top-1 ${pct(scores.onlineTop1)}` : "") +
        ` on ${scores.testCount} test images, bank ${scores.trainCount} ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    return scores;
  };
  const pretrained = await score(model, "pretrained", options.online);
  let random: EvalScores | undefined;
  if (!(options.skipFloor ?? !cfg.eval.randomInitFloor)) {
    const fresh = createModel(modelConfigOf(cfg));
    try {
      random = await score(fresh, "random init");
    } finally {
      fresh.dispose();
    }
  }
  data.bank.close?.();
  if (data.test !== data.bank) data.test.close?.();
  const skipped = bad.get("bank")!.size + bad.get("test")!.size;
  if (skipped > 0) {
    options.log?.(
      `eval: left out ${skipped} bad sample${skipped === 1 ? "" : "s"} (data.onError: skip)`,
    );
  }
  return {
    pretrained,
    random,
    dataset: evalSource(cfg).dataset,
    trainSplit: data.trainSplit,
    testSplit: data.testSplit,
    ...(cfg.data.onError === "skip" ? { skipped } : {}),
  };
}
