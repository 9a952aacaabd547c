/**
 * Evaluation of a run: features `h` of the encoder in inference mode on the labelled train
 * split (the kNN bank and the probe's training set) and the test split, scored with kNN and the
 * linear probe; the same for a freshly initialized encoder as the floor.
 */
import type { PipelineConfig } from "../config/pipeline.ts";
import { createDecoder } from "../data/decoders.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import { openDataset, type Split } from "../data/registry.ts";
import { type EvalScores, evaluateEncoder } from "../eval/evaluate.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { modelConfigOf } from "./build.ts";
import { evalBatches, indexRange } from "./eval_data.ts";

/** Scores of the trained encoder and of the random-init floor. */
export interface RunEvaluation {
  pretrained: EvalScores;
  /** The random-init floor, unless skipped. */
  random?: EvalScores;
  dataset: string;
  trainSplit: string;
  testSplit: string;
}

/** What the labelled evaluation data is: two splits, or one folder held out 1 in 5. */
interface EvalData {
  bank: IndexedDataset;
  bankIndices: Int32Array;
  test: IndexedDataset;
  testIndices: Int32Array;
  trainSplit: string;
  testSplit: string;
}

async function openEvalData(cfg: PipelineConfig): Promise<EvalData> {
  const d = cfg.data;
  if (d.dataset === "tar") {
    throw new Error(
      "evaluation needs a random-access labelled dataset; tar shards are streamed: " +
        "evaluate with --set data.dataset=imagefolder --set data.path=<labelled folder>",
    );
  }
  const maxTrain = cfg.eval.maxTrainSamples ?? Infinity;
  const maxTest = cfg.eval.maxTestSamples ?? Infinity;
  if (d.dataset === "imagefolder") {
    const opened = await openDataset("imagefolder", {
      path: d.path,
      maxFileBytes: d.maxFileBytes,
    });
    if (opened.kind !== "indexed") throw new Error("imagefolder did not open as indexed");
    const ds = opened.dataset;
    const take = (idx: Int32Array, n: number) => idx.subarray(0, Math.min(n, idx.length));
    return {
      bank: ds,
      bankIndices: take(indexRange(ds.length, (i) => i % 5 !== 4), maxTrain),
      test: ds,
      testIndices: take(indexRange(ds.length, (i) => i % 5 === 4), maxTest),
      trainSplit: "4 of 5 images",
      testSplit: "every 5th image",
    };
  }
  const open = async (split: string) => {
    const o = await openDataset(d.dataset, {
      path: d.path,
      split: split as Split,
      maxFileBytes: d.maxFileBytes,
    });
    if (o.kind !== "indexed") throw new Error(`${d.dataset} did not open as indexed`);
    return o.dataset;
  };
  const bank = await open(cfg.eval.trainSplit);
  const test = await open(cfg.eval.testSplit);
  return {
    bank,
    bankIndices: indexRange(Math.min(bank.length, maxTrain)),
    test,
    testIndices: indexRange(Math.min(test.length, maxTest)),
    trainSplit: cfg.eval.trainSplit,
    testSplit: cfg.eval.testSplit,
  };
}

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Skip the linear probe (the kNN monitor during pretraining). */
  knnOnly?: boolean;
  /** Skip the random-init floor (default: `!eval.randomInitFloor`; the monitor skips it). */
  skipFloor?: boolean;
  log?: (line: string) => void;
}

/** Scores `model`'s encoder, and a random-init encoder of the same architecture and seed. */
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
  const score = async (m: SimCLRModel, what: string) => {
    const t0 = performance.now();
    const scores = await evaluateEncoder(
      (x) => m.encoder.apply(x, { training: false }),
      evalBatches(data.bank, {
        augment: cfg.augment,
        channels,
        indices: data.bankIndices,
        decoder,
      }),
      evalBatches(data.test, {
        augment: cfg.augment,
        channels,
        indices: data.testIndices,
        decoder,
      }),
      evalOptions,
    );
    options.log?.(
      `eval (${what}): kNN top-1 ${(100 * scores.knnTop1).toFixed(2)}%` +
        (scores.linearTop1 !== undefined
          ? `, linear top-1 ${(100 * scores.linearTop1).toFixed(2)}%`
          : "") +
        ` on ${scores.testCount} test images, bank ${scores.trainCount} ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    return scores;
  };
  const pretrained = await score(model, "pretrained");
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
  return {
    pretrained,
    random,
    dataset: cfg.data.dataset,
    trainSplit: data.trainSplit,
    testSplit: data.testSplit,
  };
}
