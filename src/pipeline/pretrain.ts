/**
 * `pretrain(config)`: the whole job of `deno task pretrain`. Starts the backend, opens the
 * dataset, streams augmented batches into the trainer sink (metrics, checkpoints, progress),
 * stops cleanly on request, then evaluates and writes the report into the run directory.
 *
 * Under `mpirun` (or with `dist.mode: mpi`) every rank runs it: each reads its blocked part of
 * every epoch (the global batch of a step is the ranks' batches in rank order), NT-Xent sees
 * the projections of the global batch, batch norm can use global statistics (`dist.globalBn`),
 * gradients are averaged with one fused all-reduce per step, the ranks check every
 * {@link PretrainOptions.checkWeightsEvery} steps that their weights are identical, and rank 0
 * alone writes the config, checkpoints, metrics, progress, evaluation and report.
 */
import { configToYaml } from "../config/load.ts";
import type { PipelineConfig } from "../config/pipeline.ts";
import { startBackend } from "../backend/start.ts";
import type { BackendInfo } from "../backend/info.ts";
import { SkipLog } from "../data/errors.ts";
import { openDataset, type Split } from "../data/registry.ts";
import type { OpenedDataset } from "../data/registry.ts";
import { createModel } from "../model/simclr_model.ts";
import { Telemetry } from "../streams/telemetry.ts";
import type { Batch } from "../train/batch.ts";
import { loadCheckpoint, restoreCheckpoint } from "../train/checkpoint.ts";
import type { StepMetrics } from "../train/step_metrics.ts";
import { initialTrainState, type TrainState } from "../train/train_state.ts";
import { trainer } from "../train/trainer.ts";
import { ProgressBar } from "../cli/progress.ts";
import type { Communicator } from "../distributed/communicator.ts";
import { assertSameConfig } from "../distributed/config_hash.ts";
import { broadcastBytes, broadcastText } from "../distributed/broadcast_bytes.ts";
import { createCommunicator, detectLaunch } from "../distributed/create.ts";
import { SingleCommunicator } from "../distributed/single.ts";
import { decodeCheckpoint } from "../train/checkpoint.ts";
import {
  allReduceGradientsStage,
  assertSameWeights,
  assertSyncBackend,
  distTrainingHooks,
} from "../train/dist_hooks.ts";
import { Lockstep } from "../train/dist_lockstep.ts";
import { modelConfigOf, optimizerOf, planSteps, scheduleOf, type StepPlan } from "./build.ts";
import { evaluateRun, type RunEvaluation } from "./evaluate_run.ts";
import { limitDataset, trainingBatches } from "./input.ts";
import { writeReport } from "./report.ts";
import { runFiles } from "./run_dir.ts";

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  /** Run directory (default `<outDir>/<name>-<UTC time>`); with `resume`, the run to continue. */
  runDir?: string;
  /** Continue the run in `runDir` from its checkpoint. */
  resume?: boolean;
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

/** What a run produced. */
export interface PretrainResult {
  runDir: string;
  backend: BackendInfo;
  plan: StepPlan;
  /** Optimizer steps done when the run ended. */
  steps: number;
  /** True when stopped by the signal before the planned end. */
  stopped: boolean;
  /** Number of ranks that trained together. */
  ranks: number;
  /** Mean views/s (of all ranks together) and data-wait share of this process's steps. */
  imagesPerSec: number;
  dataWaitShare: number;
  evaluation?: RunEvaluation;
  reportPath?: string;
}

/** Runs SimCLR pretraining as `cfg` describes. */
export async function pretrain(
  cfg: PipelineConfig,
  options: PretrainOptions = {},
): Promise<PretrainResult> {
  const comm = options.communicator ?? await openCommunicator(cfg);
  if (comm.size === 1) {
    try {
      return await pretrainRanks(cfg, options, comm);
    } finally {
      if (!options.communicator) await comm.close();
    }
  }
  let result: PretrainResult;
  try {
    result = await pretrainRanks(cfg, options, comm);
  } catch (err) {
    return await comm.abort(err); // tells the peers, then exits this process
  }
  if (!options.communicator) await comm.close();
  return result;
}

/** The communicator `dist.mode` asks for (`auto`: MPI under an MPI launcher). */
async function openCommunicator(cfg: PipelineConfig): Promise<Communicator> {
  const mode = cfg.dist.mode;
  if (mode === "single" || (mode === "auto" && !detectLaunch().underLauncher)) {
    return new SingleCommunicator({ listenForStop: false }); // the caller's signal stops it
  }
  return await createCommunicator("mpi");
}

async function pretrainRanks(
  cfg: PipelineConfig,
  options: PretrainOptions,
  comm: Communicator,
): Promise<PretrainResult> {
  const { rank, size } = comm;
  const root = rank === 0;
  const userLog = options.log ?? ((l: string) => console.error(l));
  const log = root ? userLog : () => {};
  if (size > 1) {
    await assertSameConfig(comm, { cfg, runDir: options.runDir, resume: options.resume });
  }
  const runDir = await broadcastText(
    comm,
    root ? options.runDir ?? defaultRunDir(cfg) : undefined,
  );
  const files = runFiles(runDir);
  if (root) {
    await Deno.mkdir(runDir, { recursive: true });
    if (!options.resume) {
      await Deno.writeTextFile(files.config, configToYaml(cfg, [`resolved config of ${runDir}`]));
    }
  }

  const backend = await startBackend(cfg.train.backend, {
    threads: cfg.train.threads,
    dataWorkers: cfg.data.workers,
  });
  assertSyncBackend(size);
  log(`backend: ${backend.name} (${backend.device})`);
  for (const note of backend.notes) log(`  ${note}`);
  // Global BN by default on several ranks: per-rank statistics let the model cheat on positives.
  const globalBn = cfg.dist.globalBn ?? size > 1;
  if (size > 1) {
    log(
      `${size} ranks (${comm.kind}); global BN ${globalBn ? "on" : "off"}` +
        (globalBn ? "" : " (set dist.globalBn: true to reduce BN statistics)"),
    );
  }

  const opened = await openTraining(cfg);
  const samples = opened.kind === "indexed" ? opened.dataset.length : cfg.data.maxSamples;
  if (samples === undefined) {
    throw new Error(
      "tar shards are streamed, so the number of samples per epoch is unknown: set " +
        "data.maxSamples to it (the LR schedule and the epochs depend on it)",
    );
  }
  const plan = planSteps(cfg, samples, size);
  const model = createModel(modelConfigOf(cfg));
  const optimizer = optimizerOf(cfg);
  let state: TrainState = initialTrainState();
  if (options.resume) {
    // rank 0 reads the checkpoint and sends it: the other ranks need no access to its disk
    const ck = size === 1 ? await loadCheckpoint(files.checkpoint) : await decodeCheckpoint(
      await broadcastBytes(comm, root ? await Deno.readFile(files.checkpoint) : undefined),
      files.checkpoint,
    );
    state = restoreCheckpoint(ck, model, optimizer);
    log(`resumed from ${files.checkpoint} at step ${state.step} (epoch ${state.epoch + 1})`);
  }
  log(
    `data: ${cfg.data.dataset}, ${samples} samples; ${plan.stepsPerEpoch} steps/epoch of ` +
      `${cfg.optim.batchSize} pairs${size > 1 ? ` (${plan.microBatch} per rank)` : ""}, ` +
      `${plan.totalSteps} steps; run dir ${runDir}`,
  );

  const telemetry = new Telemetry();
  const skips = new SkipLog((r) => {
    if (r.count > 0) log(`epoch ${r.epoch + 1}: skipped ${r.count} bad samples: ${r.examples[0]}`);
  });
  const firstMicroStep = state.batchStep + 1;
  const lastMicroStep = plan.totalSteps * cfg.optim.accumulateSteps; // exclusive
  const input = trainingBatches({
    dataset: opened,
    augment: { ...cfg.augment },
    channels: cfg.model.inChannels,
    batchSize: plan.microBatch,
    stepsPerEpoch: plan.microStepsPerEpoch,
    seed: cfg.run.seed,
    epochs: plan.epochs,
    startStep: firstMicroStep,
    workers: cfg.data.workers,
    prefetch: cfg.data.prefetch,
    shuffleBuffer: cfg.data.shuffleBuffer,
    onError: cfg.data.onError,
    decoder: cfg.data.decoder,
    maxPixels: cfg.data.maxPixels,
    telemetry,
    skips,
    rank,
    worldSize: size,
  });

  const bar = options.progress === false || !root ? undefined : new ProgressBar();
  const rates: { images: number; seconds: number; wait: number; compute: number } = {
    images: 0,
    seconds: 0,
    wait: 0,
    compute: 0,
  };
  const onMetrics = (m: StepMetrics) => {
    const share = m.waitMs / Math.max(1e-9, m.waitMs + m.computeMs);
    rates.wait += m.waitMs;
    rates.compute += m.computeMs;
    bar?.update({
      epoch: Math.floor((m.step - 1) / plan.stepsPerEpoch),
      epochs: plan.epochs,
      step: m.step,
      totalSteps: plan.totalSteps,
      loss: m.loss,
      imagesPerSec: m.imagesPerSec,
      dataWaitShare: share,
    });
  };
  const lockstep = size > 1 ? new Lockstep() : undefined;
  const sink = trainer({
    model,
    optimizer,
    learningRate: scheduleOf(cfg, plan),
    temperature: cfg.loss.temperature,
    accumulate: cfg.optim.accumulateSteps,
    hooks: distTrainingHooks(comm, { globalBn }),
    stages: lockstep ? [allReduceGradientsStage(comm), lockstep.stage()] : undefined,
    state,
    logEvery: cfg.train.logEvery,
    metricsFile: root ? files.metrics : undefined,
    totalSteps: plan.totalSteps,
    onMetrics,
    checkpoint: root
      ? {
        path: files.checkpoint,
        every: cfg.train.checkpointEvery * plan.stepsPerEpoch,
        dataPosition: (s) => ({ epoch: s.epoch, nextBatchStep: s.batchStep + 1 }),
        rngState: () => ({ seed: cfg.run.seed, scheme: "(seed, epoch, sample index)" }),
      }
      : undefined,
    onCheckpoint: (path, s) => bar?.log(`checkpoint: ${path} (step ${s.step})`),
  });
  // with several ranks: are the weights still identical? (BN buffers too with global BN)
  const checkEvery = Math.max(1, options.checkWeightsEvery ?? 100);
  let checkedAt = state.step;
  const checkWeights = async () => {
    if (size === 1 || checkedAt === state.step) return;
    checkedAt = state.step;
    const params = globalBn ? model.store.all() : model.store.trainable();
    await assertSameWeights(comm, params, state.step);
  };

  const started = performance.now();
  const startImages = state.images;
  let stopped = false;
  const reader = input.getReader();
  const writer = sink.getWriter();
  let lastWritten = firstMicroStep - 1;
  try {
    for (let micro = firstMicroStep; micro < lastMicroStep; micro++) {
      if (size === 1 && options.signal?.aborted) {
        stopped = true;
        break;
      }
      const r = await reader.read();
      if (size > 1) {
        // every rank takes the same steps: stop together when one is asked to stop or has
        // run out of data (tar shards of uneven length)
        const flags = new Float32Array([
          options.signal?.aborted || comm.stopRequested ? 1 : 0,
          r.done ? 1 : 0,
        ]);
        await comm.allReduce(flags, "max");
        if (flags[0] > 0 && micro % cfg.optim.accumulateSteps === 0) {
          stopped = true;
          break;
        }
        if (flags[1] > 0) break;
      }
      if (r.done) break;
      const batch: Batch = r.value;
      comm.step = batch.step;
      if (isMonitorDue(cfg, plan, batch, lastWritten)) {
        await drained(state, lastWritten);
        if (root) await monitor(cfg, model, batch.epoch, bar, log);
        if (size > 1) await comm.barrier(); // the others wait here, not in a blocking gather
      }
      await writer.write(batch);
      lastWritten = batch.step;
      if (lockstep && (batch.step + 1) % cfg.optim.accumulateSteps === 0) {
        await lockstep.applied(state, batch.step);
        if (state.step % checkEvery === 0) await checkWeights();
      }
    }
    await reader.cancel().catch(() => {});
    await writer.close();
    await checkWeights();
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    await writer.abort(err).catch(() => {});
    bar?.done();
    model.dispose();
    optimizer.dispose();
    throw err;
  } finally {
    bar?.done();
  }
  const seconds = (performance.now() - started) / 1000;
  rates.images = state.images - startImages;
  rates.seconds = seconds;
  log(
    `${stopped ? "stopped" : "trained"} at step ${state.step}/${plan.totalSteps}: ` +
      `${(rates.images / seconds).toFixed(1)} views/s, data wait ` +
      `${(100 * rates.wait / Math.max(1e-9, rates.wait + rates.compute)).toFixed(1)}%; ` +
      `checkpoint ${files.checkpoint}`,
  );
  log(`pipeline: ${telemetry.summary()}`);

  const result: PretrainResult = {
    runDir,
    backend,
    plan,
    ranks: size,
    steps: state.step,
    stopped,
    imagesPerSec: rates.images / seconds,
    dataWaitShare: rates.wait / Math.max(1e-9, rates.wait + rates.compute),
  };
  try {
    if (root && !stopped && options.evaluate !== false) {
      result.evaluation = await evaluateRun(cfg, model, { log });
      await Deno.writeTextFile(files.eval, JSON.stringify(result.evaluation, null, 2) + "\n");
      result.reportPath = await writeReport(cfg, runDir, {
        evaluation: result.evaluation,
        backend,
        dataset: opened,
      });
    }
  } finally {
    model.dispose();
    optimizer.dispose();
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

function defaultRunDir(cfg: PipelineConfig): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const out = cfg.run.outDir.replace(/\/+$/, "");
  return `${out}/${cfg.run.name ?? "run"}-${t}`;
}

/** Whether a kNN monitor evaluation is due before `batch` (first batch of a due epoch). */
function isMonitorDue(
  cfg: PipelineConfig,
  plan: StepPlan,
  batch: Batch,
  lastWritten: number,
): boolean {
  const every = cfg.eval.monitorEvery;
  if (!every || batch.epoch === 0 || batch.epoch % every !== 0) return false;
  const firstOfEpoch = batch.step % plan.microStepsPerEpoch === 0;
  return firstOfEpoch && lastWritten >= 0;
}

/** Waits until the trainer has applied every batch written so far. */
async function drained(state: TrainState, lastWritten: number): Promise<void> {
  while (state.batchStep < lastWritten) await new Promise((r) => setTimeout(r, 2));
}

async function monitor(
  cfg: PipelineConfig,
  model: ReturnType<typeof createModel>,
  epoch: number,
  bar: ProgressBar | undefined,
  log: (line: string) => void,
): Promise<void> {
  const e = await evaluateRun(cfg, model, { knnOnly: true, skipFloor: true });
  const line =
    `kNN monitor after epoch ${epoch}: top-1 ${(100 * e.pretrained.knnTop1).toFixed(2)}%` +
    `, top-5 ${(100 * e.pretrained.knnTop5).toFixed(2)}%`;
  if (bar) bar.log(line);
  else log(line);
}
