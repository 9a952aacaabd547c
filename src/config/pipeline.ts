/**
 * The schema of a SimCLR pipeline file (`pipelines/*.yaml`) and the resolved config type.
 * Every field has a default except where noted, so a file states only what differs.
 */
import { BACKEND_REQUESTS } from "../backend/_names.ts";
import {
  CHECKPOINT_EVERY_HINT,
  CHECKPOINT_EVERY_PATTERN,
  parseCheckpointEvery,
} from "../train/checkpoint_policy.ts";
import { LR_SCALINGS } from "../train/lr_schedule.ts";
import { type CheckIssue, type Infer, s } from "./_schema.ts";

const positive = { min: 0, minExclusive: true } as const;

/**
 * `run`: naming and where the run directory goes.
 */
export const runSchema = s.object({
  name: s.string({
    optional: true,
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    patternHint: "letters, digits, '.', '_' and '-'",
    description:
      "run name (default: the pipeline file's name); the run dir is <outDir>/<name>-<time>",
  }),
  outDir: s.string({ default: "runs/", description: "folder that holds run directories" }),
  seed: s.int({ min: 0, max: 2 ** 32 - 1, default: 0, description: "seed of every RNG" }),
});

/**
 * `data`: the dataset and how it is read.
 */
export const dataSchema = s.object({
  dataset: s.enum(["fashion-mnist", "mnist", "cifar10", "cifar100", "imagefolder", "tar"], {
    default: "fashion-mnist",
    description: "dataset kind",
  }),
  path: s.string({
    optional: true,
    description: "dataset location (required for imagefolder and tar; else found or downloaded)",
  }),
  split: s.string({
    default: "train",
    description: "split used for pretraining (imagefolder: <path>/<split>/, or without split " +
      "folders all but every 5th file of each class)",
  }),
  maxSamples: s.int({
    min: 1,
    optional: true,
    description: "use only the first N samples of the split (quick runs); tar shards: the " +
      "samples of an epoch (required)",
  }),
  workers: s.int({ min: 0, max: 256, default: 2, description: "augmentation workers (0: inline)" }),
  prefetch: s.int({ min: 1, max: 64, default: 2, description: "batches queued ahead" }),
  shuffleBuffer: s.int({
    min: 0,
    default: 10000,
    description: "tar shards: samples mixed across an epoch's shards, a buffer per epoch (0: none)",
  }),
  onError: s.enum(["fail", "skip"], { default: "fail", description: "on an undecodable sample" }),
  decoder: s.enum(["imagescript", "sharp"], {
    default: "imagescript",
    description: "image decoder",
  }),
  maxPixels: s.int({
    min: 1,
    default: 67108864,
    description: "images over this many pixels (from the header) are refused before decoding " +
      "(8192^2; imagescript holds ~18 bytes per pixel)",
  }),
  maxFileBytes: s.int({
    min: 1,
    default: 1073741824,
    description: "largest file held whole in memory: an unzipped IDX file, a tar member, an " +
      "image-folder file (1 GiB)",
  }),
}, {
  check: (d) => {
    const out: CheckIssue[] = [];
    if ((d.dataset === "imagefolder" || d.dataset === "tar") && !d.path) {
      out.push({ path: ["path"], message: `data.path is required for dataset '${d.dataset}'` });
    }
    return out;
  },
});

/**
 * `augment`: the SimCLR view augmentation.
 */
export const augmentSchema = s.object({
  preset: s.enum(["simclr-v1", "simclr-v2", "simclr-cifar", "simclr-gray"], {
    default: "simclr-v2",
    description: "v1/v2: ImageNet recipe (v1 adds to brightness, v2 multiplies it); " +
      "cifar: no blur, s=0.5; gray: 1-channel",
  }),
  size: s.int({ min: 8, max: 1024, default: 224, description: "output side of each view, pixels" }),
  strength: s.number({
    min: 0,
    max: 2,
    optional: true,
    description: "colour jitter strength s (default: the preset's)",
  }),
  brightness: s.enum(["multiply", "add"], {
    optional: true,
    description: "jitter brightness: multiply (SimCLR v2's code, torchvision) or add " +
      "(SimCLR v1's code); default: the preset's",
  }),
  blur: s.bool({ optional: true, description: "Gaussian blur on/off (default: the preset's)" }),
  solarize: s.bool({
    optional: true,
    description: "solarization p=0.2 on/off (BYOL's; in no SimCLR preset; default: off)",
  }),
  mean: s.array(s.number(), {
    minItems: 1,
    maxItems: 3,
    optional: true,
    description: "per-channel normalization mean, 0..1 scale (default: the preset's)",
  }),
  std: s.array(s.number(positive), {
    minItems: 1,
    maxItems: 3,
    optional: true,
    description: "per-channel normalization std, 0..1 scale (default: the preset's)",
  }),
});

/**
 * `model`: encoder and projection head.
 */
export const modelSchema = s.object({
  encoder: s.enum(["resnet18", "resnet34", "resnet50", "small"], {
    default: "resnet50",
    description: "encoder architecture",
  }),
  stem: s.enum(["imagenet", "cifar"], {
    default: "imagenet",
    description: "imagenet: 7x7/2 conv + maxpool; cifar: 3x3/1 conv, no maxpool",
  }),
  widthMultiplier: s.number({
    min: 0.125,
    max: 8,
    default: 1,
    description: "channel width factor",
  }),
  inChannels: s.enum([1, 3], { default: 3, description: "input channels" }),
  zeroInitResidual: s.bool({
    default: false,
    description: "ResNet: each residual branch's last BN starts at gamma 0 (google's ResNet " +
      "does; torchvision's default does not)",
  }),
  head: s.object({
    layers: s.enum([2, 3], { default: 2, description: "projection MLP layers (v1: 2, v2: 3)" }),
    hidden: s.int({ min: 1, optional: true, description: "hidden width (default: feature dim)" }),
    out: s.int({ min: 1, default: 128, description: "projection output dim" }),
    output: s.enum(["linear", "linear-bn"], {
      default: "linear",
      description: "output layer: Linear with bias (PyTorch reimplementations), or google's: " +
        "Linear without bias then BN without shift",
    }),
  }),
});

/**
 * `loss`: NT-Xent.
 */
export const lossSchema = s.object({
  temperature: s.number({
    ...positive,
    max: 10,
    default: 0.1,
    description: "NT-Xent temperature tau",
  }),
  reduction: s.enum(["mean", "sum-of-directions"], {
    default: "mean",
    description: "mean over the 2N anchors (paper, lightly), or google's code: the two " +
      "directions' means summed (2x the loss and gradient)",
  }),
});

/**
 * `optim`: optimizer and schedule. The peak LR is derived from `baseLr`, `lrScaling` and the
 * global `batchSize` by `peakLearningRate` (src/train/lr_schedule.ts).
 */
export const optimSchema = s.object({
  name: s.enum(["lars", "sgd", "adamw"], { default: "lars", description: "optimizer" }),
  baseLr: s.number({
    ...positive,
    max: 100,
    default: 0.3,
    description:
      "LR before scaling: linear: baseLr*batch/256; sqrt: baseLr*sqrt(batch); none: baseLr",
  }),
  lrScaling: s.enum(LR_SCALINGS, {
    default: "linear",
    description: "LR scaling rule",
  }),
  momentum: s.number({
    min: 0,
    max: 1,
    maxExclusive: true,
    default: 0.9,
    description: "momentum (adamw: beta1)",
  }),
  weightDecay: s.number({
    min: 0,
    max: 1,
    default: 1e-6,
    description: "weight decay (not on biases/BN)",
  }),
  trustCoefficient: s.number({
    ...positive,
    max: 1,
    default: 0.001,
    description: "LARS trust coefficient (eta; `eeta` in the SimCLR code)",
  }),
  warmupEpochs: s.number({
    min: 0,
    default: 10,
    description: "linear warmup, then cosine decay (capped at epochs)",
  }),
  epochs: s.int({ min: 1, max: 100000, default: 100, description: "training epochs" }),
  batchSize: s.int({
    min: 2,
    max: 1 << 20,
    default: 4096,
    description: "global batch per optimizer step (pairs), over all micro-batches and ranks",
  }),
  accumulateSteps: s.int({ min: 1, max: 4096, default: 1, description: "micro-batches per step" }),
}, {
  check: (o) => {
    const out: CheckIssue[] = [];
    if (o.batchSize % o.accumulateSteps !== 0) {
      out.push({
        path: ["accumulateSteps"],
        message:
          `batchSize ${o.batchSize} is not divisible by accumulateSteps ${o.accumulateSteps}`,
      });
    }
    return out;
  },
});

/**
 * `train`: backend and bookkeeping.
 */
export const trainSchema = s.object({
  backend: s.enum(BACKEND_REQUESTS, {
    default: "auto",
    description: "TensorFlow.js backend",
  }),
  threads: s.int({ min: 1, max: 1024, optional: true, description: "compute threads (native)" }),
  logEvery: s.int({ min: 1, default: 10, description: "steps between metric records" }),
  checkpointEvery: s.string({
    numbers: true,
    pattern: CHECKPOINT_EVERY_PATTERN,
    patternHint: CHECKPOINT_EVERY_HINT,
    default: "10 min",
    description: "checkpoint cadence: '500 steps', '2 epochs', '10 min', '1 h' (a bare number " +
      "is epochs); a checkpoint is also written at the end and on a stop (Ctrl-C, SIGTERM)",
  }),
  keepCheckpoints: s.int({
    min: 1,
    max: 1000,
    default: 3,
    description: "keep the last N checkpoints (checkpoint-step<N>.safetensors beside " +
      "checkpoint.safetensors, the latest), to resume from an earlier one",
  }),
  maxSteps: s.int({
    min: 1,
    optional: true,
    description: "stop after this many optimizer steps (a stop point: the LR schedule still " +
      "spans optim.epochs, so the run resumes exactly; for a short complete run lower epochs)",
  }),
}, {
  check: (t) => {
    try {
      parseCheckpointEvery(t.checkpointEvery);
      return [];
    } catch (err) {
      return [{ path: ["checkpointEvery"], message: (err as Error).message }];
    }
  },
});

/**
 * `eval`: kNN and linear probe on frozen features.
 */
export const evalSchema = s.object({
  enabled: s.bool({
    default: true,
    description: "evaluate after pretraining (kNN and linear probe, eval.json, report scores)",
  }),
  dataset: s.enum(["fashion-mnist", "mnist", "cifar10", "cifar100", "imagefolder"], {
    optional: true,
    description: "labelled dataset to evaluate on (default: data.dataset; tar shards are " +
      "streamed and cannot be evaluated on, so a tar run names one here or sets enabled: false)",
  }),
  path: s.string({
    optional: true,
    description: "location of eval.dataset (default: data.path when eval.dataset is unset or " +
      "the same as data.dataset; required for another imagefolder)",
  }),
  trainSplit: s.string({
    default: "train",
    description: "split holding the labelled bank (imagefolder: a split folder, or train/test " +
      "held out by class when there are none)",
  }),
  testSplit: s.string({ default: "test", description: "split that is classified" }),
  knn: s.object({
    k: s.int({ min: 1, max: 10000, default: 200, description: "neighbours" }),
    temperature: s.number({
      ...positive,
      max: 10,
      default: 0.1,
      description: "vote weight exp(sim/T)",
    }),
  }),
  linearProbe: s.object({
    enabled: s.bool({ default: true, description: "train the linear probe" }),
    l2: s.number({ min: 0, max: 100, default: 1e-4, description: "L2 penalty on the weights" }),
    maxIterations: s.int({
      min: 1,
      max: 100000,
      default: 500,
      description: "L-BFGS iterations cap",
    }),
    tolerance: s.number({
      ...positive,
      max: 1,
      default: 1e-6,
      description: "stop when the loss change is below",
    }),
  }),
  randomInitFloor: s.bool({ default: true, description: "also evaluate a random-init encoder" }),
  monitorEvery: s.int({ min: 0, default: 0, description: "kNN monitor every N epochs (0: off)" }),
  online: s.bool({
    optional: true,
    description: "online linear classifier on stop-gradient h, trained on each batch's labels " +
      "during pretraining (default: on when the training dataset lists its classes)",
  }),
  onlineHead: s.object({
    optimizer: s.enum(["sgd", "lars"], {
      default: "sgd",
      description: "sgd: momentum SGD (what google's LARS does to this head, which it excludes " +
        "from adaptation); lars: with adaptation (optim.trustCoefficient)",
    }),
    lr: s.number({
      ...positive,
      max: 100,
      optional: true,
      description: "peak LR, following the pretraining schedule's warmup and cosine (default: " +
        "the pretraining LR itself, as google's code)",
    }),
    momentum: s.number({
      min: 0,
      max: 1,
      maxExclusive: true,
      default: 0.9,
      description: "momentum",
    }),
    weightDecay: s.number({
      min: 0,
      max: 1,
      optional: true,
      description: "L2 weight decay on its weight (default: optim.weightDecay, as google's code)",
    }),
  }),
  maxTrainSamples: s.int({
    min: 1,
    optional: true,
    description: "cap on the bank size (imagefolder: a class-balanced sample by run.seed; " +
      "named datasets: their first N, already shuffled)",
  }),
  maxTestSamples: s.int({
    min: 1,
    optional: true,
    description: "cap on test samples (sampled as maxTrainSamples)",
  }),
  batchSize: s.int({
    min: 1,
    max: 65536,
    default: 256,
    description: "images per feature-extraction batch",
  }),
  crop: s.enum(["whole", "center", "simclr"], {
    default: "whole",
    description: "evaluated region: whole image resized to the view size; center: the " +
      "central square of cropProportion; simclr: google's rule, center above 32 px, else whole",
  }),
  cropProportion: s.number({
    min: 0,
    minExclusive: true,
    max: 1,
    default: 0.875,
    description: "share of the shorter side the centre crop keeps (ImageNet's 0.875)",
  }),
}, {
  check: (e) => {
    const out: CheckIssue[] = [];
    if (!e.enabled && e.monitorEvery > 0) {
      out.push({
        path: ["monitorEvery"],
        message: "the kNN monitor evaluates too: set eval.monitorEvery: 0 with enabled: false",
      });
    }
    return out;
  },
});

/**
 * `finetune`: few-label fine-tuning of a pretrained encoder plus a new linear head
 * (`deno task finetune`), with the paper's settings by default (Nesterov momentum, LR 0.05 x
 * batch/256, no warmup, no weight decay, crop and flip only).
 */
export const finetuneSchema = s.object({
  labels: s.string({
    numbers: true,
    default: "10%",
    pattern: /^(\d+(\.\d+)?%|\d+)$/,
    patternHint: "a share such as 1% or 10%, or a count such as 600",
    description: "labelled samples, class-balanced from eval.trainSplit by run.seed: a share " +
      "(1%, 10%) or a count (600)",
  }),
  epochs: s.int({
    min: 1,
    max: 100000,
    optional: true,
    description: "epochs over the labelled subset (default: 60 up to 1% of the labels, else 30, " +
      "the paper's)",
  }),
  batchSize: s.int({
    min: 1,
    max: 65536,
    default: 256,
    description: "labelled images per step (capped at the subset's size)",
  }),
  optimizer: s.enum(["sgd", "lars"], {
    default: "sgd",
    description: "sgd: Nesterov momentum (the paper's); lars: LARS (google's SimCLR v2 code)",
  }),
  baseLr: s.number({
    ...positive,
    max: 100,
    default: 0.05,
    description: "LR = baseLr x batchSize/256, cosine decay",
  }),
  momentum: s.number({ min: 0, max: 1, maxExclusive: true, default: 0.9, description: "momentum" }),
  weightDecay: s.number({ min: 0, max: 1, default: 0, description: "weight decay (paper: none)" }),
  warmupEpochs: s.number({ min: 0, default: 0, description: "linear warmup epochs" }),
  randomInit: s.bool({
    default: true,
    description: "also fine-tune a random-init encoder the same way (the floor)",
  }),
  logEvery: s.int({ min: 1, default: 1, description: "steps between metric records" }),
});

/**
 * `dist`: several processes.
 */
export const distSchema = s.object({
  mode: s.enum(["auto", "single", "mpi"], {
    default: "auto",
    description: "auto: mpi under mpirun",
  }),
  globalBn: s.bool({
    optional: true,
    description: "reduce batch-norm statistics across ranks (default: on with more than one rank)",
  }),
});

/**
 * The whole pipeline file.
 */
export const pipelineSchema = s.object({
  run: runSchema,
  data: dataSchema,
  augment: augmentSchema,
  model: modelSchema,
  loss: lossSchema,
  optim: optimSchema,
  train: trainSchema,
  eval: evalSchema,
  dist: distSchema,
  finetune: finetuneSchema,
}, {
  check: (c) => {
    const out: CheckIssue[] = [];
    const gray = c.augment.preset === "simclr-gray";
    if (c.model.zeroInitResidual && c.model.encoder === "small") {
      out.push({
        path: ["model", "zeroInitResidual"],
        message: "model.encoder small has no residual blocks: use a ResNet or set it to false",
      });
    }
    if (gray && c.model.inChannels !== 1) {
      out.push({
        path: ["model", "inChannels"],
        message: "augment.preset simclr-gray makes 1-channel views: set model.inChannels: 1",
      });
    }
    if (!gray && c.model.inChannels !== 3) {
      out.push({
        path: ["model", "inChannels"],
        message:
          `augment.preset ${c.augment.preset} makes 3-channel views: set model.inChannels: 3 (or use simclr-gray)`,
      });
    }
    const e = c.eval;
    if (e.dataset === "imagefolder" && !e.path && c.data.dataset !== "imagefolder") {
      out.push({
        path: ["eval", "path"],
        message: "eval.path is required for eval.dataset imagefolder",
      });
    }
    for (const key of ["mean", "std"] as const) {
      const v = c.augment[key];
      if (v && v.length !== 1 && v.length !== c.model.inChannels) {
        out.push({
          path: ["augment", key],
          message: `augment.${key} has ${v.length} values for ${c.model.inChannels} channels`,
        });
      }
    }
    return out;
  },
});

/**
 * A resolved, validated pipeline configuration (every default filled in): sections `run`,
 * `data`, `augment`, `model`, `loss`, `optim`, `train`, `eval`, `finetune`, `dist`, as the
 * YAML files in `pipelines/` write them. {@link loadPipeline} and {@link parsePipeline} make
 * one; the pipeline module's `pretrain` runs one.
 *
 * @example Reading and changing a resolved config
 * ```ts
 * import { type PipelineConfig, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const cfg: PipelineConfig = parsePipeline("data:\n  dataset: cifar10\n", "c.yaml");
 * assert.equal(cfg.data.dataset, "cifar10");
 * assert.equal(typeof cfg.optim.batchSize, "number"); // a default, filled in
 * const shorter: PipelineConfig = { ...cfg, optim: { ...cfg.optim, epochs: 1 } };
 * assert.equal(shorter.optim.epochs, 1);
 * ```
 */
export type PipelineConfig = Infer<typeof pipelineSchema>;
