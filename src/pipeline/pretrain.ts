/**
 * `pretrain(config)`: the whole job of `deno task pretrain`, in three parts: set up (run
 * directory, backend, dataset, step plan, model and optimizer, resume, input stream), train
 * (`train_loop.ts`, with progress, metrics and checkpoints), then evaluate and write the report
 * into the run directory. Stops cleanly on request.
 *
 * Under `mpirun` (or with `dist.mode: mpi`) every rank runs it: each reads its blocked part of
 * every epoch (the global batch of a step is the ranks' batches in rank order), NT-Xent sees
 * the projections of the global batch, batch norm can use global statistics (`dist.globalBn`),
 * gradients are averaged with one fused all-reduce per step, the ranks check every
 * {@link PretrainOptions.checkWeightsEvery} steps that their weights are identical, and rank 0
 * alone writes the config, checkpoints, metrics, progress, evaluation and report (see
 * `ranks.ts`).
 */
import { configToYaml } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { startBackend } from "../backend/start.ts";
import type { BackendInfo } from "../backend/info.ts";
import { SkipLog } from "../data/errors.ts";
import { openDataset, type OpenedDataset, type Split } from "../data/registry.ts";
import { createModel, type SimCLRModel } from "../model/simclr_model.ts";
import { ProgressBar } from "../report/progress_bar.ts";
import { Telemetry } from "../streams/telemetry.ts";
import type { Batch } from "../train/batch.ts";
import type { OnlineClassifier } from "../train/online_classifier.ts";
import type { Optimizer } from "../train/optimizer.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import { restoreCheckpoint } from "../train/checkpoint.ts";
import type { StepMetrics } from "../train/step_metrics.ts";
import { initialTrainState, type TrainState } from "../train/train_state.ts";
import { type Trainer, trainer } from "../train/trainer.ts";
import type { TrainingHooks } from "../train/training_hooks.ts";
import type { Communicator } from "../distributed/communicator.ts";
import { createCommunicator } from "../distributed/create.ts";
import { detectLaunch } from "../distributed/_launch_env.ts";
import { SingleCommunicator } from "../distributed/single.ts";
import {
  checkpointCadenceOf,
  maxStepsNote,
  modelConfigOf,
  optimizerOf,
  planSteps,
  scheduleOf,
  type StepPlan,
} from "./build.ts";
import { ReadPositions, resumePosition } from "./_data_position.ts";
import { evalProblem, evaluateRun, type RunEvaluation } from "./evaluate_run.ts";
import { limitDataset, trainingBatches } from "./input.ts";
import { describeOnline, onlineClassifierOf } from "./_online.ts";
import { type EarlyEnd, type Ranks, ranksOf } from "./ranks.ts";
import { writeReport } from "./report.ts";
import { checkResumeConfig, loadResumeCheckpoint, rewindRunDir } from "./_resume.ts";
import type { ConfigChange } from "./resume_changes.ts";
import { claimRunDir, createRunDir, type RunFiles, runFiles } from "./run_dir.ts";
import { SkippedFile } from "./_skipped_file.ts";
import { trainLoop } from "./train_loop.ts";

/**
 * Options of {@link pretrain}: where the run goes, resuming, stopping, what is printed.
 *
 * @example Stop a run early, then resume it
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { pretrain } from "@simclr/streams/pipeline";
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
 *   // Stop after the first step (train.maxSteps is a stop point, not a shorter schedule).
 *   const first = await pretrain(
 *     { ...cfg, train: { ...cfg.train, maxSteps: 1 } },
 *     { evaluate: false, progress: false, log: () => {} },
 *   );
 *   assert.equal(first.steps, 1);
 *   // Continue the same run to its planned end.
 *   const rest = await pretrain(cfg, {
 *     runDir: first.runDir, resume: true, evaluate: false, progress: false, log: () => {},
 *   });
 *   assert.equal(rest.runDir, first.runDir);
 *   assert.equal(rest.steps, 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export interface PretrainOptions {
  /**
   * Run directory (default `<outDir>/<name>-<UTC time>`, created exclusively: `-2`, `-3`, ...
   * when another run took the name); with `resume`, the run to continue.
   */
  runDir?: string;
  /**
   * Continue the run in `runDir` from its checkpoint. `cfg` may differ from its `config.yaml`
   * only where `RESUME_CHANGEABLE` allows (the changes are noted in `config.yaml`).
   */
  resume?: boolean;
  /**
   * With `resume`: the checkpoint file to continue from (default the run's latest,
   * `checkpoint.safetensors`; an earlier kept one, `checkpoint-step<N>.safetensors`, goes back
   * to it: later checkpoints and metrics rows are dropped).
   */
  checkpoint?: string;
  /** Aborting stops training after the current step; a checkpoint is written first. */
  signal?: AbortSignal;
  /** Progress bar on stderr (default true). */
  progress?: boolean;
  /** Evaluate and write the report after training (default true). */
  evaluate?: boolean;
  /** Where messages go (default stderr; rank 0 only when there are several ranks). */
  log?: (line: string) => void;
  /**
   * The ranks' communicator (default: one from `cfg.dist.mode`, closed at the end). With
   * several ranks, a failure is reported to the peers and ends the process (`comm.abort`).
   */
  communicator?: Communicator;
  /** With several ranks: compare a checksum of the weights across ranks every N steps (100). */
  checkWeightsEvery?: number;
}

/**
 * What a {@link pretrain} run produced: its directory, the backend and plan it used, how far
 * it got, its throughput and (unless `evaluate: false`) the evaluation and report.
 *
 * @example Summing up a result
 * ```ts
 * import type { PretrainResult } from "@simclr/streams/pipeline";
 * import assert from "node:assert/strict";
 *
 * const summary = (r: PretrainResult) =>
 *   `${r.runDir}: ${r.steps}/${r.plan.totalSteps} steps on ${r.backend.name}` +
 *   (r.stopped ? " (stopped)" : "");
 * const result: PretrainResult = {
 *   runDir: "runs/x", steps: 2, stopped: false, ranks: 1, imagesPerSec: 100, dataWaitShare: 0,
 *   backend: { name: "wasm", tfBackend: "wasm", device: "WebAssembly", notes: [] },
 *   plan: {
 *     samples: 16, microBatch: 8, microStepsPerEpoch: 2, stepsPerEpoch: 2, totalSteps: 2,
 *     epochs: 1,
 *   },
 * };
 * assert.equal(summary(result), "runs/x: 2/2 steps on wasm");
 * ```
 */
export interface PretrainResult {
  /** The run directory (config, metrics, checkpoints, report). */
  runDir: string;
  /** The backend that trained. */
  backend: BackendInfo;
  /** The step plan the run followed. */
  plan: StepPlan;
  /** Optimizer steps done when the run ended. */
  steps: number;
  /** True when stopped by the signal before the planned end. */
  stopped: boolean;
  /** Number of ranks that trained together. */
  ranks: number;
  /** Mean views/s (of all ranks together) and data-wait share of this process's steps. */
  imagesPerSec: number;
  /** Share (0..1) of this process's step time spent waiting for data. */
  dataWaitShare: number;
  /**
   * The evaluation after training (not with `evaluate: false` or `eval.enabled: false`, nor
   * when stopped; rank 0 only).
   */
  evaluation?: RunEvaluation;
  /** The written `report.html` (not with `evaluate: false`, nor when stopped; rank 0 only). */
  reportPath?: string;
}

/**
 * Runs SimCLR pretraining as `cfg` describes (what `deno task pretrain` runs): opens the
 * dataset, starts the backend, trains with checkpoints (resumable bitwise, see
 * {@link PretrainOptions.resume}), then evaluates the encoder against the random-init floor
 * and writes `report.html`. Several processes train together under MPI (`cfg.dist`).
 *
 * @param cfg A resolved pipeline config (`loadPipeline` of `@simclr/streams/config`).
 * @param options Run directory, resume, stop signal, progress and logging.
 * @returns What the run produced.
 *
 * @example Pretraining and evaluating on a tiny dataset
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import { pretrain, runFiles } from "@simclr/streams/pipeline";
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
 *   const result = await pretrain(cfg, { progress: false, log: () => {} });
 *   assert.equal(result.steps, 2); // 16 images, 8 pairs a step, 1 epoch
 *   assert.equal(result.stopped, false);
 *   const knn = result.evaluation?.pretrained.knnTop1 ?? -1;
 *   assert.ok(knn >= 0 && knn <= 1);
 *   assert.equal(result.reportPath, runFiles(result.runDir).report);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function pretrain(
  cfg: PipelineConfig,
  options: PretrainOptions = {},
): Promise<PretrainResult> {
  const comm = options.communicator ?? await openCommunicator(cfg);
  const ranks = ranksOf(comm, {
    accumulate: cfg.optim.accumulateSteps,
    globalBn: cfg.dist.globalBn,
    checkWeightsEvery: options.checkWeightsEvery,
  });
  if (comm.size === 1) {
    try {
      return await runJob(cfg, options, ranks);
    } finally {
      if (!options.communicator) await comm.close();
    }
  }
  let result: PretrainResult;
  try {
    result = await runJob(cfg, options, ranks);
  } catch (err) {
    return await comm.abort(err); // tells the peers, then exits this process
  }
  if (!options.communicator) await comm.close();
  return result;
}

/** Set up, train, evaluate and report; frees the model and optimizer whatever happens. */
async function runJob(cfg: PipelineConfig, options: PretrainOptions, ranks: Ranks) {
  const run = await setUp(cfg, options, ranks);
  try {
    const trained = await train(run, options);
    const result = await evaluateAndReport(run, trained, options);
    await run.skipped?.flush();
    return result;
  } finally {
    run.model.dispose();
    run.optimizer.dispose();
    run.online?.dispose();
    await run.skipped?.close().catch(() => {});
  }
}

/** The communicator `dist.mode` asks for (`auto`: MPI under an MPI launcher). */
async function openCommunicator(cfg: PipelineConfig): Promise<Communicator> {
  const mode = cfg.dist.mode;
  if (mode === "single" || (mode === "auto" && !detectLaunch().underLauncher)) {
    return new SingleCommunicator({ listenForStop: false }); // the caller's signal stops it
  }
  return await createCommunicator("mpi");
}

/** Everything a run trains with, once set up. */
interface Run {
  cfg: PipelineConfig;
  ranks: Ranks;
  runDir: string;
  files: RunFiles;
  backend: BackendInfo;
  dataset: OpenedDataset;
  plan: StepPlan;
  model: SimCLRModel;
  optimizer: Optimizer;
  /** The online linear classifier, when it trains (`eval.online`). */
  online: OnlineClassifier | undefined;
  /** Forward-pass hooks of several ranks (none for one). */
  hooks: TrainingHooks | undefined;
  /** Where training continues from (restored from the checkpoint when resuming). */
  state: TrainState;
  /** This rank's position in its part of the state's next epoch order (`resumePosition`). */
  startPosition: number;
  /** Rank 0's list of skipped samples (`skipped.jsonl`). */
  skipped: SkippedFile | undefined;
  /** Rank 0's log (a no-op on the other ranks). */
  log: (line: string) => void;
}

/**
 * Run directory, backend, dataset, step plan, model and optimizer, resumed state. What can be
 * known wrong before training is refused first (evaluation impossible, a resume that changes
 * what is trained); a new run's directory is removed again when its start fails, and its
 * `config.yaml` is written only once everything is set up.
 */
async function setUp(cfg: PipelineConfig, options: PretrainOptions, ranks: Ranks): Promise<Run> {
  const userLog = options.log ?? ((l: string) => console.error(l));
  const log = ranks.root ? userLog : () => {};
  await ranks.checkSameSettings({
    cfg,
    runDir: options.runDir,
    resume: options.resume,
    checkpoint: options.checkpoint,
  });
  const problem = (options.evaluate !== false && cfg.eval.enabled) || cfg.eval.monitorEvery > 0
    ? evalProblem(cfg)
    : undefined;
  if (problem) throw new RangeError(`${problem} (checked before training)`);
  const dir = ranks.root ? await openRunDir(cfg, options) : undefined;
  const runDir = await ranks.shareRunDir(dir?.path);
  const files = runFiles(runDir);
  try {
    return await setUpIn(cfg, options, ranks, runDir, files, dir?.changes ?? [], log);
  } catch (err) {
    if (dir?.created) await Deno.remove(runDir, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Rank 0: the run directory (created, claimed, or the resumed one with the config changes). */
async function openRunDir(
  cfg: PipelineConfig,
  options: PretrainOptions,
): Promise<{ path: string; created: boolean; changes: ConfigChange[] }> {
  if (options.resume) {
    if (!options.runDir) throw new TypeError("resume: true needs the runDir to continue");
    const changes = await checkResumeConfig(options.runDir, runFiles(options.runDir), cfg);
    return { path: options.runDir, created: false, changes };
  }
  if (options.runDir) {
    return { path: options.runDir, created: await claimRunDir(options.runDir), changes: [] };
  }
  const path = await createRunDir(cfg.run.outDir, cfg.run.name ?? "run");
  return { path, created: true, changes: [] };
}

async function setUpIn(
  cfg: PipelineConfig,
  options: PretrainOptions,
  ranks: Ranks,
  runDir: string,
  files: RunFiles,
  changes: ConfigChange[],
  log: (line: string) => void,
): Promise<Run> {
  const backend = await startBackend(cfg.train.backend, {
    threads: cfg.train.threads,
    dataWorkers: cfg.data.workers,
  });
  const hooks = ranks.trainingHooks(); // refuses a backend several ranks cannot use
  log(`backend: ${backend.name} (${backend.device})`);
  for (const note of backend.notes) log(`  ${note}`);
  if (ranks.size > 1) {
    log(
      `${ranks.size} ranks (${ranks.kind}); global BN ${ranks.globalBn ? "on" : "off"}` +
        (ranks.globalBn ? "" : " (set dist.globalBn: true to reduce BN statistics)"),
    );
  }

  const dataset = await openTraining(cfg);
  const samples = dataset.kind === "indexed" ? dataset.dataset.length : cfg.data.maxSamples;
  if (samples === undefined) {
    throw new TypeError(
      "tar shards are streamed, so the number of samples per epoch is unknown: set " +
        "data.maxSamples to it (the LR schedule and the epochs depend on it)",
    );
  }
  const plan = planSteps(cfg, samples, ranks.size);
  const model = createModel(modelConfigOf(cfg));
  const optimizer = optimizerOf(cfg);
  let online: OnlineClassifier | undefined;
  let state = initialTrainState();
  let startPosition = 0;
  let skipped: SkippedFile | undefined;
  try {
    online = onlineClassifierOf(cfg, plan, dataset, model.encoder.featureDim);
    if (options.resume) {
      const from = options.checkpoint ?? files.checkpoint;
      const ck = await loadResumeCheckpoint(files, from, (p) => ranks.loadCheckpoint(p));
      state = restoreCheckpoint(ck, model, optimizer, online);
      startPosition = resumePosition(ck.meta.dataPosition, {
        checkpoint: from,
        nextMicroStep: state.microStep + 1,
        microStepsPerEpoch: plan.microStepsPerEpoch,
        microBatch: plan.microBatch,
        rank: ranks.rank,
        worldSize: ranks.size,
        shards: dataset.kind === "shards",
      });
      log(`resumed from ${from} at step ${state.step} (epoch ${state.epoch + 1})`);
      if (online && !ck.online) {
        log("  the checkpoint has no online classifier: it starts afresh at this step");
      }
      if (ranks.root) {
        for (const line of await rewindRunDir(files, from, state.step, cfg, changes)) log(line);
      }
    } else if (ranks.root) {
      await writeFileAtomic(
        files.config,
        configToYaml(cfg, [`resolved config of ${runDir}`]),
        "config",
      );
    }
    if (ranks.root) skipped = await SkippedFile.open(files.skipped);
  } catch (err) {
    model.dispose();
    optimizer.dispose();
    online?.dispose();
    throw err;
  }
  log(
    `data: ${cfg.data.dataset}, ${samples} samples; ${plan.stepsPerEpoch} steps/epoch of ` +
      `${cfg.optim.batchSize} pairs${ranks.size > 1 ? ` (${plan.microBatch} per rank)` : ""}, ` +
      `${plan.totalSteps} steps; run dir ${runDir}`,
  );
  const capped = maxStepsNote(cfg, plan);
  if (capped) log(capped);
  log(describeOnline(cfg, online));
  return {
    cfg,
    ranks,
    runDir,
    files,
    backend,
    dataset,
    plan,
    model,
    optimizer,
    online,
    hooks,
    state,
    startPosition,
    skipped,
    log,
  };
}

/** How training went, for the result and the summary line. */
interface Trained {
  stopped: boolean;
  imagesPerSec: number;
  dataWaitShare: number;
}

/** The input stream, the trainer sink with progress, and the loop between them. */
async function train(run: Run, options: PretrainOptions): Promise<Trained> {
  const { cfg, plan, state, log } = run;
  const telemetry = new Telemetry();
  const skips = skipLogOf(run);
  const bar = options.progress === false || !run.ranks.root ? undefined : new ProgressBar();
  const time = { waitMs: 0, computeMs: 0 };
  const positions = new ReadPositions();
  const sink = trainerOf(run, bar, positions, (m) => {
    time.waitMs += m.waitMs;
    time.computeMs += m.computeMs;
  });
  const every = cfg.eval.monitorEvery;
  const started = performance.now();
  const startImages = state.images;
  let end: EarlyEnd | undefined;
  try {
    end = await trainLoop({
      input: inputOf(run, telemetry, skips),
      trainer: sink,
      model: run.model,
      ranks: run.ranks,
      microSteps: plan.totalSteps * cfg.optim.accumulateSteps,
      signal: options.signal,
      positions,
      monitor: every > 0
        ? {
          due: (b: Batch) =>
            b.epoch > 0 && b.epoch % every === 0 && b.microStep % plan.microStepsPerEpoch === 0,
          run: (epoch: number) => monitorKnn(run, epoch, bar),
        }
        : undefined,
    });
  } finally {
    bar?.done();
  }
  const seconds = (performance.now() - started) / 1000;
  skips.finish(); // the last epoch's tally: the input was cancelled, not run to its end
  const skippedTotal = skips.total;
  if (skippedTotal > 0) {
    log(
      `skipped ${skippedTotal} bad sample${skippedTotal === 1 ? "" : "s"} in training ` +
        `(data.onError: skip); each is listed in ${run.files.skipped}`,
    );
  }
  const trained: Trained = {
    stopped: end === "stopped",
    imagesPerSec: (state.images - startImages) / seconds,
    dataWaitShare: time.waitMs / Math.max(1e-9, time.waitMs + time.computeMs),
  };
  log(
    `${trained.stopped ? "stopped" : "trained"} at step ${state.step}/${plan.totalSteps}: ` +
      `${trained.imagesPerSec.toFixed(1)} views/s, data wait ` +
      `${(100 * trained.dataWaitShare).toFixed(1)}%; checkpoint ${run.files.checkpoint}`,
  );
  log(`pipeline: ${telemetry.summary()}`);
  if (end === "exhausted") {
    throw new Error(
      `the training data ran out at step ${state.step} of the ${plan.totalSteps} planned ` +
        `(the input ended before the plan's last micro-batch): the run is incomplete; the ` +
        `checkpoint holds step ${state.step}`,
    );
  }
  return trained;
}

/**
 * The training input's skip log (`data.onError: skip`): a line per epoch with skips, and every
 * skipped sample listed in `skipped.jsonl` (rank 0's part of the data).
 */
function skipLogOf(run: Run): SkipLog {
  return new SkipLog(
    (r) => {
      if (r.count === 0) return;
      run.log(
        `epoch ${r.epoch + 1}: skipped ${r.count} bad sample${r.count === 1 ? "" : "s"}, ` +
          `e.g. ${r.examples[0]} (all listed in ${run.files.skipped})`,
      );
    },
    5,
    (problem, epoch) => run.skipped?.record("train", problem, epoch),
  );
}

/** This rank's micro-batches, from the one after the state's on. */
function inputOf(run: Run, telemetry: Telemetry, skips: SkipLog): ReadableStream<Batch> {
  const { cfg, plan, ranks } = run;
  return trainingBatches({
    dataset: run.dataset,
    augment: { ...cfg.augment },
    channels: cfg.model.inChannels,
    batchSize: plan.microBatch,
    microStepsPerEpoch: plan.microStepsPerEpoch,
    samplesPerEpoch: plan.samples,
    seed: cfg.run.seed,
    epochs: plan.epochs,
    startMicroStep: run.state.microStep + 1,
    startPosition: run.startPosition,
    workers: cfg.data.workers,
    prefetch: cfg.data.prefetch,
    shuffleBuffer: cfg.data.shuffleBuffer,
    onError: cfg.data.onError,
    decoder: cfg.data.decoder,
    maxPixels: cfg.data.maxPixels,
    telemetry,
    skips,
    rank: ranks.rank,
    worldSize: ranks.size,
  });
}

/** The trainer sink: metrics to the file and the progress bar, checkpoints (rank 0). */
function trainerOf(
  run: Run,
  bar: ProgressBar | undefined,
  positions: ReadPositions,
  onMetrics: (m: StepMetrics) => void,
): Trainer {
  const { cfg, plan, ranks, files } = run;
  return trainer({
    model: run.model,
    optimizer: run.optimizer,
    online: run.online,
    learningRate: scheduleOf(cfg, plan),
    temperature: cfg.loss.temperature,
    lossReduction: cfg.loss.reduction,
    accumulate: cfg.optim.accumulateSteps,
    hooks: run.hooks,
    stages: ranks.gradientStages(),
    state: run.state,
    logEvery: cfg.train.logEvery,
    metricsFile: ranks.root ? files.metrics : undefined,
    onMetrics: (m) => {
      onMetrics(m);
      bar?.update({
        epoch: Math.floor((m.step - 1) / plan.stepsPerEpoch),
        epochs: plan.epochs,
        step: m.step,
        totalSteps: plan.totalSteps,
        loss: m.loss,
        onlineTop1: m.onlineTop1,
        imagesPerSec: m.imagesPerSec,
        dataWaitShare: m.waitMs / Math.max(1e-9, m.waitMs + m.computeMs),
      });
    },
    checkpoint: ranks.root
      ? {
        path: files.checkpoint,
        ...checkpointCadenceOf(cfg, plan),
        keep: cfg.train.keepCheckpoints,
        dataPosition: (s) => positions.of(s), // every rank's reading position (the vote's)
        rngState: () => ({ seed: cfg.run.seed, scheme: "(seed, epoch, sample index)" }),
      }
      : undefined,
    onCheckpoint: (path, s) => bar?.log(`checkpoint: ${path} (step ${s.step})`),
  });
}

/** kNN and linear probe against the random-init floor, `eval.json` and the report (rank 0). */
async function evaluateAndReport(
  run: Run,
  trained: Trained,
  options: PretrainOptions,
): Promise<PretrainResult> {
  const { cfg, ranks, files, log } = run;
  const result: PretrainResult = {
    runDir: run.runDir,
    backend: run.backend,
    plan: run.plan,
    ranks: ranks.size,
    steps: run.state.step,
    stopped: trained.stopped,
    imagesPerSec: trained.imagesPerSec,
    dataWaitShare: trained.dataWaitShare,
  };
  if (ranks.root && !trained.stopped && options.evaluate !== false) {
    if (cfg.eval.enabled) {
      result.evaluation = await evaluateRun(cfg, run.model, {
        log,
        online: run.online && await run.online.weights(),
        onSkip: (split, problem) => run.skipped?.record(`eval:${split}`, problem),
      });
      await writeFileAtomic(
        files.eval,
        JSON.stringify(result.evaluation, null, 2) + "\n",
        "evaluation results",
      );
    } else {
      log("evaluation off (eval.enabled: false): the report shows training only");
    }
    result.reportPath = await writeReport(cfg, run.runDir, {
      evaluation: result.evaluation,
      backend: run.backend,
      dataset: run.dataset,
    });
  }
  return result;
}

/** The split used for pretraining, limited to `data.maxSamples`. */
async function openTraining(cfg: PipelineConfig): Promise<OpenedDataset> {
  const d = cfg.data;
  const opened = await openDataset(d.dataset, {
    path: d.path,
    split: d.split as Split,
    onProgress: undefined,
    maxFileBytes: d.maxFileBytes,
  });
  if (opened.kind === "indexed") {
    return { ...opened, dataset: limitDataset(opened.dataset, d.maxSamples) };
  }
  return opened;
}

/** The kNN monitor: top-1 and top-5 of the weights trained so far. */
async function monitorKnn(run: Run, epoch: number, bar: ProgressBar | undefined): Promise<void> {
  const e = await evaluateRun(run.cfg, run.model, {
    knnOnly: true,
    skipFloor: true,
    onSkip: (split, problem) => run.skipped?.record(`eval:${split}`, problem),
  });
  const line =
    `kNN monitor after epoch ${epoch}: top-1 ${(100 * e.pretrained.knnTop1).toFixed(2)}%` +
    `, top-5 ${(100 * e.pretrained.knnTop5).toFixed(2)}%`;
  if (bar) bar.log(line);
  else run.log(line);
}
