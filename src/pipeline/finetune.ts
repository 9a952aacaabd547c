/**
 * `finetune(...)`: the whole job of `deno task finetune`, SimCLR's semi-supervised protocol.
 * From a pretraining run: draw a class-balanced labelled subset of `eval.trainSplit` (`1%`,
 * `10%` or N labels, by `run.seed`), fine-tune the pretrained encoder plus a new zero-initialized
 * linear head on it with crop-and-flip views (the paper's settings by default: Nesterov
 * momentum, LR 0.05 x batch/256 with cosine decay, no warmup, no weight decay, 60 epochs for 1%
 * of the labels and 30 for more), then the same from a random-init encoder, and score both on
 * the test split (top-1/top-5) beside a linear probe of the frozen pretrained encoder trained on
 * the same labels. The training reuses the pretraining's pieces: the input stream
 * (`trainingBatches`: workers, prefetch, `data.onError`, decoder and limits), the `trainer`
 * (forward stage with the supervised objective, optimizer step, metrics, checkpoint) and
 * `trainLoop`. One process.
 *
 * Output: its own directory (default `<run>/finetune-<labels>-<UTC time>`) with `config.yaml`,
 * `subset.json` (the labelled samples), `metrics.jsonl` and `checkpoint.safetensors` of the
 * pretrained encoder's fine-tuning (`random-init/` holds the floor's), `eval.json` and
 * `report.html`.
 */
import { cropAndFlip } from "../augment/crop_flip.ts";
import { startBackend } from "../backend/start.ts";
import type { BackendInfo } from "../backend/info.ts";
import { configToYaml } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { createDecoder } from "../data/decoders.ts";
import { SkipLog } from "../data/errors.ts";
import type { IndexedDataset } from "../data/indexed.ts";
import {
  datasetLabels,
  labelCount,
  labelledSubset,
  subsetDataset,
} from "../data/labelled_subset.ts";
import { detectLaunch } from "../distributed/_launch_env.ts";
import { SingleCommunicator } from "../distributed/single.ts";
import { type EncodeFn, extractFeatures } from "../eval/features.ts";
import { encodeBatches } from "../eval/_encode_batches.ts";
import { TopKTally } from "../eval/_head_accuracy.ts";
import { probeAccuracy, trainLinearProbe } from "../eval/probe.ts";
import { Linear } from "../model/linear.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { ProgressBar } from "../report/progress_bar.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import type { ResultsTable } from "../report/render.ts";
import { Lars } from "../train/lars.ts";
import type { Optimizer } from "../train/optimizer.ts";
import { MomentumSgd } from "../train/sgd.ts";
import { supervisedObjective } from "../train/supervised_step.ts";
import { initialTrainState } from "../train/train_state.ts";
import { trainer } from "../train/trainer.ts";
import { modelConfigOf, planSteps, scheduleOf, type StepPlan } from "./build.ts";
import { type EvalData, openEvalData } from "./evaluate_run.ts";
import { evalBatches, type EvalBatchOptions } from "./_eval_data.ts";
import { trainingBatches } from "./input.ts";
import { loadRunConfig, loadRunModel } from "./load_run.ts";
import { ranksOf } from "./ranks.ts";
import { writeReport } from "./report.ts";
import { runFiles } from "./run_dir.ts";
import { trainLoop } from "./train_loop.ts";

/**
 * Options of {@link finetune}: the pretraining run, how many labels, overrides, output.
 *
 * @example Fine-tuning settings
 * ```ts
 * import type { FinetuneOptions } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const options: FinetuneOptions = {
 *   run: "runs/fashion-mnist-20260101-120000",
 *   labels: "1%",
 *   overrides: ["finetune.epochs=5", "finetune.randomInit=false"],
 *   signal: AbortSignal.timeout(3_600_000),
 * };
 * assert.equal(options.labels, "1%");
 * ```
 */
export interface FinetuneOptions {
  /** The pretraining run directory (its `config.yaml` and checkpoint). */
  run: string;
  /** `1%`, `10%` or a count (default the config's `finetune.labels`). */
  labels?: string;
  /** `key=value` overrides of the run's config (`--set`). */
  overrides?: readonly string[];
  /** Output directory (default `<run>/finetune-<labels>-<UTC time>`); must be new or empty. */
  outDir?: string;
  /** Aborting stops the current fine-tuning after its step; nothing is evaluated then. */
  signal?: AbortSignal;
  /** Progress bars on stderr (default true). */
  progress?: boolean;
  /** Where messages go (default stderr). */
  log?: (line: string) => void;
}

/**
 * Test accuracy of one classifier (shares, 0..1).
 *
 * @example Comparing two classifiers
 * ```ts
 * import type { TestAccuracy } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const better = (a: TestAccuracy, b: TestAccuracy) => a.top1 > b.top1 ? a : b;
 * const pretrained: TestAccuracy = { top1: 0.81, top5: 0.99 };
 * const random: TestAccuracy = { top1: 0.62, top5: 0.95 };
 * assert.equal(better(pretrained, random), pretrained);
 * ```
 */
export interface TestAccuracy {
  /** Top-1 accuracy on the test split. */
  top1: number;
  /** Top-5 accuracy on the test split. */
  top5: number;
}

/**
 * The labelled subset a fine-tuning drew, as `subset.json` and `eval.json` describe it.
 *
 * @example A class-balanced 1% subset
 * ```ts
 * import type { LabelledSubsetInfo } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const subset: LabelledSubsetInfo = {
 *   spec: "1%", count: 600, labelled: 60000, split: "train", seed: 0,
 *   perClass: Object.fromEntries(Array.from({ length: 10 }, (_, c) => [String(c), 60])),
 * };
 * assert.equal(Object.values(subset.perClass).reduce((a, b) => a + b), subset.count);
 * ```
 */
export interface LabelledSubsetInfo {
  /** The spec asked for (`1%`, `10%`, `600`). */
  spec: string;
  /** Samples drawn. */
  count: number;
  /** Labelled samples in the split they were drawn from. */
  labelled: number;
  /** The split the samples were drawn from. */
  split: string;
  /** The seed of the draw (`run.seed`). */
  seed: number;
  /** Samples per class, by class name (or index). */
  perClass: Record<string, number>;
}

/**
 * What {@link finetune} produced (also written to `eval.json`): the subset, the steps, and
 * the test accuracy of the fine-tuned pretrained encoder, of the random-init floor and of a
 * linear probe trained on the same labels.
 *
 * @example What fine-tuning gained over the floor
 * ```ts
 * import type { FinetuneResult } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const gain = (r: FinetuneResult) =>
 *   r.pretrained && r.random ? r.pretrained.top1 - r.random.top1 : undefined;
 * const result: FinetuneResult = {
 *   outDir: "runs/x/finetune-1%-20260101-120000",
 *   backend: { name: "wasm", tfBackend: "wasm", device: "WebAssembly", notes: [] },
 *   subset: { spec: "1%", count: 600, labelled: 60000, split: "train", seed: 0, perClass: {} },
 *   steps: 150, epochs: 60, stopped: false, testSplit: "test", testCount: 10000,
 *   pretrained: { top1: 0.8, top5: 0.99 }, random: { top1: 0.6, top5: 0.95 },
 * };
 * assert.ok(Math.abs(gain(result)! - 0.2) < 1e-9);
 * ```
 */
export interface FinetuneResult {
  /** The fine-tuning's directory. */
  outDir: string;
  /** The backend that trained. */
  backend: BackendInfo;
  /** The labelled subset. */
  subset: LabelledSubsetInfo;
  /** Optimizer steps of each fine-tuning, and its epochs. */
  steps: number;
  /** Epochs of each fine-tuning. */
  epochs: number;
  /** True when stopped by the signal: then no accuracy was measured. */
  stopped: boolean;
  /** Fine-tuned from the pretrained encoder. */
  pretrained?: TestAccuracy;
  /** Fine-tuned the same way from a random-init encoder (`finetune.randomInit`). */
  random?: TestAccuracy;
  /** Linear probe of the frozen pretrained encoder, trained on the same labels. */
  probe?: TestAccuracy;
  /** The split scored. */
  testSplit: string;
  /** Test samples scored. */
  testCount: number;
  /** The written `report.html` (not when stopped). */
  reportPath?: string;
}

/**
 * Fine-tunes a pretraining run's encoder on few labels and compares it (what
 * `deno task finetune` runs; SimCLR's semi-supervised protocol): draws a class-balanced
 * labelled subset, fine-tunes the pretrained encoder and a random-init one with a new linear
 * head, scores both on the test split beside a linear probe on the same labels, and writes
 * `eval.json` and `report.html` to its own directory. One process.
 *
 * @param o The run, the labels, overrides, output directory, stop signal.
 * @returns The accuracies and where they were written.
 * @throws {Error} when started as one of several MPI ranks.
 *
 * @example Fine-tuning a tiny run on 4 labels
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { finetune, pretrain } from "@simclr/streams/pipeline";
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
 *   const result = await finetune({
 *     run: runDir,
 *     labels: "4",
 *     overrides: ["finetune.epochs=1", "finetune.batchSize=4"],
 *     progress: false,
 *     log: () => {},
 *   });
 *   assert.equal(result.subset.count, 4);
 *   assert.deepEqual(result.subset.perClass, { "0": 2, "1": 2 }); // class-balanced
 *   assert.equal(result.testCount, 8);
 *   for (const acc of [result.pretrained, result.random, result.probe]) {
 *     assert.ok(acc && acc.top1 >= 0 && acc.top1 <= 1);
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult> {
  const launch = detectLaunch();
  if (launch.underLauncher && (launch.size ?? 2) > 1) {
    throw new Error(
      `fine-tuning runs as one process, but this is rank ${launch.rank} of ${launch.size} ` +
        "under an MPI launcher: run deno task finetune without mpirun",
    );
  }
  const log = o.log ?? ((l: string) => console.error(l));
  const overrides = [...(o.overrides ?? [])];
  if (o.labels !== undefined) overrides.push(`finetune.labels=${JSON.stringify(o.labels)}`);
  const cfg = await loadRunConfig(o.run, overrides);
  const backend = await startBackend(cfg.train.backend, {
    threads: cfg.train.threads,
    dataWorkers: cfg.data.workers,
  });
  log(`backend: ${backend.name} (${backend.device})`);
  const data = await openEvalData(cfg);
  try {
    return await runFinetune({ o, cfg, backend, data, log });
  } finally {
    data.bank.close?.();
    if (data.test !== data.bank) data.test.close?.();
  }
}

/** What the steps of one fine-tuning job share. */
interface Job {
  o: FinetuneOptions;
  cfg: PipelineConfig;
  backend: BackendInfo;
  data: EvalData;
  log: (line: string) => void;
}

/** The labelled subset as a dataset, its description and the classes. */
interface Subset {
  dataset: IndexedDataset;
  indices: Int32Array;
  info: LabelledSubsetInfo;
  numClasses: number;
}

async function runFinetune(job: Job): Promise<FinetuneResult> {
  const { o, cfg, data, log } = job;
  const subset = await drawSubset(job);
  const outDir = await prepareOutDir(o, cfg, subset);
  const ft = trainingConfig(cfg, subset);
  const plan = planSteps(ft, subset.info.count, 1);
  log(
    `fine-tuning on ${subset.info.count} labels (${subset.info.spec} of ${subset.info.labelled} ` +
      `in ${subset.info.split}, seed ${cfg.run.seed}): ${plan.stepsPerEpoch} steps/epoch of ` +
      `${ft.optim.batchSize} images, ${ft.optim.epochs} epochs, ${cfg.finetune.optimizer} ` +
      `LR ${cfg.finetune.baseLr} x ${ft.optim.batchSize}/256; output ${outDir}`,
  );
  const result: FinetuneResult = {
    outDir,
    backend: job.backend,
    subset: subset.info,
    steps: plan.totalSteps,
    epochs: ft.optim.epochs,
    stopped: false,
    testSplit: data.testSplit,
    testCount: data.testIndices.length,
  };
  const { model: pretrained, step } = await loadRunModel(o.run, cfg);
  try {
    log(`pretrained encoder: ${o.run} at step ${step}`);
    result.probe = await probeOnSubset(job, pretrained, subset);
    log(`linear probe on the same labels (frozen encoder): ${describe(result.probe)}`);
    const a = await fineTuneOne(job, pretrained, subset, ft, plan, outDir, "pretrained");
    if (a === "stopped") return { ...result, stopped: true };
    result.pretrained = a;
  } finally {
    pretrained.dispose();
  }
  if (cfg.finetune.randomInit) {
    const fresh = createModel(modelConfigOf(cfg));
    try {
      const dir = `${outDir}/random-init`;
      await Deno.mkdir(dir, { recursive: true });
      const b = await fineTuneOne(job, fresh, subset, ft, plan, dir, "random init");
      if (b === "stopped") return { ...result, stopped: true };
      result.random = b;
    } finally {
      fresh.dispose();
    }
  }
  await writeFileAtomic(
    runFiles(outDir).eval,
    JSON.stringify(result, null, 2) + "\n",
    "fine-tuning results",
  );
  // the report shows the fine-tuning's own optimizer settings (config.yaml keeps the run's)
  result.reportPath = await writeReport(ft, outDir, {
    title: `SimCLR fine-tuning: ${subset.info.count} labels (${subset.info.spec})`,
    results: [await resultsTable(o.run, result)],
    objective: "supervised",
    backend: job.backend,
  });
  return result;
}

/** The class-balanced labelled subset of the bank split, by `run.seed`. */
async function drawSubset(job: Job): Promise<Subset> {
  const { cfg, data } = job;
  const labels = await datasetLabels(data.bank);
  let labelled = 0, maxLabel = -1;
  for (const y of labels) {
    if (y >= 0) labelled++;
    maxLabel = Math.max(maxLabel, y);
  }
  if (labelled === 0) {
    throw new Error(
      `${data.bank.name}: no sample of split '${data.trainSplit}' has a label; fine-tuning ` +
        "needs a labelled split (eval.trainSplit)",
    );
  }
  const count = labelCount(cfg.finetune.labels, labelled);
  const indices = labelledSubset(labels, count, cfg.run.seed);
  const classes = data.bank.classes;
  const numClasses = Math.max(classes?.length ?? 0, maxLabel + 1);
  const perClass: Record<string, number> = {};
  for (const i of indices) {
    const name = classes?.[labels[i]] ?? String(labels[i]);
    perClass[name] = (perClass[name] ?? 0) + 1;
  }
  return {
    dataset: subsetDataset(data.bank, indices),
    indices,
    numClasses,
    info: {
      spec: cfg.finetune.labels,
      count,
      labelled,
      split: data.trainSplit,
      seed: cfg.run.seed,
      perClass,
    },
  };
}

/**
 * Creates the output directory (refusing one that holds files), writes the resolved config
 * and `subset.json` (every drawn sample's index, key and label).
 */
async function prepareOutDir(o: FinetuneOptions, cfg: PipelineConfig, s: Subset) {
  const time = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const tag = s.info.spec.replace("%", "pct");
  const dir = (o.outDir ?? `${o.run.replace(/\/+$/, "")}/finetune-${tag}-${time}`).replace(
    /\/+$/,
    "",
  );
  await Deno.mkdir(dir, { recursive: true });
  for await (const entry of Deno.readDir(dir)) {
    throw new Error(
      `${dir} already holds ${entry.name}: give fine-tuning a new or empty directory (--out)`,
    );
  }
  await writeFileAtomic(
    runFiles(dir).config,
    configToYaml(cfg, [`resolved config of the fine-tuning ${dir} of ${o.run}`]),
    "config",
  );
  const samples = [];
  for (let i = 0; i < s.dataset.length; i++) {
    const sample = await s.dataset.get(i);
    samples.push({ index: s.indices[i], key: sample.key, label: sample.label });
  }
  await writeFileAtomic(
    `${dir}/subset.json`,
    JSON.stringify({ ...s.info, samples }, null, 1) + "\n",
    "labelled subset",
  );
  return dir;
}

/**
 * The pipeline config of the fine-tuning's training: `finetune.*` in the optimizer's place
 * (LR scaled linearly by the batch, which is capped at the subset's size), one micro-batch per
 * step, the default epochs by the share of labels.
 */
function trainingConfig(cfg: PipelineConfig, s: Subset): PipelineConfig {
  const f = cfg.finetune;
  const share = s.info.count / s.info.labelled;
  const train: Partial<PipelineConfig["train"]> = { ...cfg.train, logEvery: f.logEvery };
  delete train.maxSteps; // a cap of the pretraining run is not the fine-tuning's
  return {
    ...cfg,
    optim: {
      ...cfg.optim,
      name: f.optimizer,
      baseLr: f.baseLr,
      lrScaling: "linear",
      momentum: f.momentum,
      weightDecay: f.weightDecay,
      warmupEpochs: f.warmupEpochs,
      epochs: f.epochs ?? (share <= 0.01 + 1e-9 ? 60 : 30),
      batchSize: Math.min(f.batchSize, s.info.count),
      accumulateSteps: 1,
    },
    train: train as PipelineConfig["train"],
  };
}

/** The optimizer of the fine-tuning: Nesterov momentum SGD, or LARS. */
function optimizerOf(cfg: PipelineConfig): Optimizer {
  const f = cfg.finetune;
  return f.optimizer === "lars"
    ? new Lars({
      momentum: f.momentum,
      weightDecay: f.weightDecay,
      trustCoefficient: cfg.optim.trustCoefficient,
    })
    : new MomentumSgd({ momentum: f.momentum, weightDecay: f.weightDecay, nesterov: true });
}

/**
 * Fine-tunes `model`'s encoder plus a new linear head (zeros, in the model's store) on the
 * subset, writing metrics and the checkpoint to `dir`; returns its test accuracy.
 */
async function fineTuneOne(
  job: Job,
  model: SimCLRModel,
  s: Subset,
  ft: PipelineConfig,
  plan: StepPlan,
  dir: string,
  what: string,
): Promise<TestAccuracy | "stopped"> {
  const { cfg, log } = job;
  const classifier = new Linear(
    model.store,
    "classifier",
    model.encoder.featureDim,
    s.numClasses,
    true,
    {
      kind: "constant",
      value: 0,
    },
  );
  const optimizer = optimizerOf(cfg);
  const files = runFiles(dir);
  const bar = job.o.progress === false ? undefined : new ProgressBar();
  const comm = new SingleCommunicator({ listenForStop: false });
  const skips = new SkipLog((r) => {
    if (r.count > 0) log(`epoch ${r.epoch + 1}: skipped ${r.count} bad samples: ${r.examples[0]}`);
  });
  try {
    const end = await trainLoop({
      input: trainingBatches({
        dataset: { kind: "indexed", dataset: s.dataset },
        augment: cropAndFlip(cfg.augment),
        channels: cfg.model.inChannels,
        batchSize: plan.microBatch,
        microStepsPerEpoch: plan.microStepsPerEpoch,
        seed: cfg.run.seed,
        epochs: plan.epochs,
        workers: cfg.data.workers,
        prefetch: cfg.data.prefetch,
        onError: cfg.data.onError,
        decoder: cfg.data.decoder,
        maxPixels: cfg.data.maxPixels,
        skips,
      }),
      trainer: trainer({
        model,
        optimizer,
        objective: supervisedObjective(classifier),
        learningRate: scheduleOf(ft, plan),
        state: initialTrainState(),
        logEvery: ft.train.logEvery,
        metricsFile: files.metrics,
        onMetrics: (m) =>
          bar?.update({
            head: `fine-tune (${what}) epoch ${m.epoch + 1}/${plan.epochs}`,
            epoch: m.epoch,
            epochs: plan.epochs,
            step: m.step,
            totalSteps: plan.totalSteps,
            loss: m.loss,
            imagesPerSec: m.imagesPerSec,
          }),
        checkpoint: { path: files.checkpoint },
      }),
      model,
      ranks: ranksOf(comm, { accumulate: 1 }),
      microSteps: plan.totalSteps,
      signal: job.o.signal,
    });
    bar?.done();
    if (end === "stopped") {
      log(`fine-tuning (${what}) stopped; it is not resumable: run it again`);
      return "stopped";
    }
    const accuracy = await testAccuracy(
      job,
      (x) => classifier.apply(model.encoder.apply(x, { training: false })),
      s.numClasses,
    );
    log(`fine-tuned (${what}): ${describe(accuracy)}; ${files.metrics}`);
    return accuracy;
  } finally {
    bar?.done();
    optimizer.dispose();
    await comm.close();
  }
}

/**
 * How evaluation views of the job's data are made (`eval.crop`, the run's normalization); under
 * `data.onError: skip` a sample that does not decode is left out and logged.
 */
async function viewOptions(job: Job): Promise<Omit<EvalBatchOptions, "indices">> {
  const { cfg, log } = job;
  return {
    augment: cfg.augment,
    channels: cfg.model.inChannels,
    decoder: await createDecoder(cfg.data.decoder, { maxPixels: cfg.data.maxPixels }),
    batchSize: cfg.eval.batchSize,
    crop: cfg.eval.crop,
    cropProportion: cfg.eval.cropProportion,
    onBad: cfg.data.onError === "skip"
      ? (_index, err) =>
        log(`evaluation: left out a bad sample (data.onError: skip): ${err.message}`)
      : undefined,
  };
}

/** Top-1/top-5 of the logits `classify` gives the test split's evaluation views. */
async function testAccuracy(job: Job, classify: EncodeFn, classes: number): Promise<TestAccuracy> {
  const { data } = job;
  const tally = new TopKTally(classes);
  const views = { ...await viewOptions(job), indices: data.testIndices };
  for await (const e of encodeBatches(classify, evalBatches(data.test, views))) {
    tally.add(e.features, e.count, e.batch.labels!);
  }
  const { top1, top5 } = tally.result();
  return { top1, top5 };
}

/** The linear probe of the frozen `model` fit on the subset's features, scored on the test split. */
async function probeOnSubset(job: Job, model: SimCLRModel, s: Subset): Promise<TestAccuracy> {
  const { cfg, data } = job;
  const encode: EncodeFn = (x) => model.encoder.apply(x, { training: false });
  const views = await viewOptions(job);
  const train = await extractFeatures(
    encode,
    evalBatches(data.bank, { ...views, indices: s.indices }),
  );
  const test = await extractFeatures(
    encode,
    evalBatches(data.test, { ...views, indices: data.testIndices }),
  );
  const probe = await trainLinearProbe(train, {
    ...cfg.eval.linearProbe,
    numClasses: s.numClasses,
  });
  const { top1, top5 } = await probeAccuracy(probe, test);
  return { top1, top5 };
}

/** The report's table: both fine-tunings, the probe on the same labels, the run's full probe. */
async function resultsTable(run: string, r: FinetuneResult): Promise<ResultsTable> {
  const rows: ResultsTable["rows"] = [
    { name: "fine-tuned, pretrained encoder", ...r.pretrained },
    ...(r.random ? [{ name: "fine-tuned, random-init encoder (floor)", ...r.random }] : []),
    {
      name: "linear probe on the same labels",
      note: "frozen pretrained encoder, L2 logistic regression",
      ...r.probe,
    },
  ];
  const full = await Deno.readTextFile(runFiles(run).eval).then(JSON.parse).catch(() => undefined);
  if (full?.pretrained?.linearTop1 !== undefined) {
    rows.push({
      name: "linear probe of the pretraining run",
      note: `its eval.json: ${full.pretrained.trainCount} labelled training images`,
      top1: full.pretrained.linearTop1,
      top5: full.pretrained.linearTop5,
    });
  }
  const perClass = Object.entries(r.subset.perClass).map(([k, v]) => `${k}: ${v}`).join(", ");
  return {
    title: `Fine-tuning with ${r.subset.count} labels (${r.subset.spec})`,
    note: `The encoder of ${run}, fine-tuned with ` +
      `${r.subset.count} of the ${r.subset.labelled} labelled images of ${r.subset.split}, ` +
      `class-balanced by seed ${r.subset.seed} (${perClass}); ${r.epochs} epochs, ${r.steps} ` +
      `steps, crop and flip; scored on ${r.testCount} images of ${r.testSplit}.`,
    rows,
  };
}

function describe(a: TestAccuracy): string {
  return `top-1 ${(100 * a.top1).toFixed(2)}%, top-5 ${(100 * a.top5).toFixed(2)}%`;
}
