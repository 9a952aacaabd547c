/**
 * A small command-line parser for the CLI commands (`--flag value`, `--flag=value`, repeated
 * flags, `-h`), with errors that list the known flags and generated `--help` text.
 */
import { BACKEND_REQUESTS } from "../backend/_names.ts";
import { didYouMean } from "../config/errors.ts";
import { resumeChangeableKeys } from "../pipeline/resume_changes.ts";

/**
 * One flag of a command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const flag: FlagSpec = { type: "string", valueName: "FILE", description: "pipeline YAML file" };
 * const args = parseArgs(["--config", "a.yaml"], { name: "x", summary: "", flags: { config: flag } });
 * assert.equal(args.config, "a.yaml");
 * ```
 */
export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags do not (or take `=true`/`=false`). */
  type: "string" | "boolean";
  /** The flag may be given several times; its value is then a list. */
  multiple?: boolean;
  /** One line for the help text. */
  description: string;
  /** Placeholder for the value in help text, e.g. `FILE` (default `VALUE`). */
  valueName?: string;
  /** Allowed values (checked; listed in errors). */
  choices?: readonly string[];
  /** One-letter alias, e.g. `h` for `-h`. */
  short?: string;
}

/**
 * A command: its name as typed, what it does, and its flags (keys are the flag names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const cmd = {
 *   name: "deno task x",
 *   summary: "Does x.",
 *   flags: { help: { type: "boolean", description: "show help" } },
 * } as const satisfies CommandSpec;
 * assert.equal(parseArgs(["--help"], cmd).help, true);
 * assert.match(helpText(cmd), /^Usage: deno task x/);
 * ```
 */
export interface CommandSpec {
  /** How the command is run, e.g. `deno task pretrain`. */
  name: string;
  /** One paragraph on what it does. */
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Example invocations for the help text. */
  examples?: readonly string[];
}

/**
 * The parsed value of one flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const v: FlagValue<{ type: "string"; multiple: true; description: "" }> = ["a", "b"];
 * assert.equal(v.length, 2); // a repeatable string flag parses to string[]
 * ```
 */
export type FlagValue<F extends FlagSpec> = F["type"] extends "boolean" ? boolean
  : F["multiple"] extends true ? string[]
  : string | undefined;

/**
 * Parsed flags, keyed by flag name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args: ParsedFlags<typeof PRETRAIN_COMMAND> = parseArgs(["--set", "a=1"], PRETRAIN_COMMAND);
 * assert.deepEqual(args.set, ["a=1"]);
 * assert.equal(args.config, undefined);
 * ```
 */
export type ParsedFlags<C extends CommandSpec> = {
  [K in keyof C["flags"]]: FlagValue<C["flags"][K]>;
};

/**
 * A command-line mistake; `message` says what and how to fix it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // A command catches it, prints the message and exits with status 2 (src/cli/main.ts).
 * assert.throws(
 *   () => parseArgs(["--epochs", "3"], PRETRAIN_COMMAND),
 *   (e) => e instanceof ArgsError && /unknown flag '--epochs'/.test(e.message),
 * );
 * ```
 */
export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArgsError";
  }
}

/**
 * Parses `argv` against `spec`. Unknown flags, missing values, repeated single flags, values
 * outside `choices` and stray arguments throw {@link ArgsError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--config", "p.yaml", "--set", "optim.epochs=1"], PRETRAIN_COMMAND);
 * assert.equal(args.config, "p.yaml");
 * assert.deepEqual(args.set, ["optim.epochs=1"]);
 * ```
 */
export function parseArgs<C extends CommandSpec>(argv: readonly string[], spec: C): ParsedFlags<C> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    out[name] = f.type === "boolean" ? false : f.multiple ? [] : undefined;
  }
  const seen = new Set<string>();
  const known = Object.keys(spec.flags);
  const list = () => known.map((k) => `--${k}`).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      if (i + 1 < argv.length) throw new ArgsError(`unexpected argument '${argv[i + 1]}' after --`);
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const hit = known.find((k) => spec.flags[k].short === arg[1]);
      if (!hit) {
        throw new ArgsError(`unknown flag '${arg}' for ${spec.name}; known flags: ${list()}`);
      }
      name = hit;
    } else {
      throw new ArgsError(
        `unexpected argument '${arg}' for ${spec.name} (flags start with --; known flags: ${list()})`,
      );
    }
    const flag = spec.flags[name];
    if (!flag) {
      const guess = didYouMean(name, known);
      const hint = guess ? ` (did you mean --${guess}?)` : "";
      throw new ArgsError(
        `unknown flag '--${name}' for ${spec.name}${hint}; known flags: ${list()}`,
      );
    }
    if (seen.has(name) && !flag.multiple) {
      throw new ArgsError(`--${name} was given more than once`);
    }
    seen.add(name);
    if (flag.type === "boolean") {
      if (inline === undefined || inline === "true") out[name] = true;
      else if (inline === "false") out[name] = false;
      else throw new ArgsError(`--${name} takes no value (or =true / =false), got '${inline}'`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new ArgsError(`--${name} needs a value: --${name} ${flag.valueName ?? "VALUE"}`);
      }
      value = next;
      i++;
    }
    if (flag.choices && !flag.choices.includes(value)) {
      const guess = didYouMean(value, [...flag.choices]);
      const hint = guess ? ` (did you mean '${guess}'?)` : "";
      throw new ArgsError(`--${name} '${value}' is not one of: ${flag.choices.join(", ")}${hint}`);
    }
    if (flag.multiple) (out[name] as string[]).push(value);
    else out[name] = value;
  }
  return out as ParsedFlags<C>;
}

/**
 * The `--help` text of a command: usage line, summary, flags and examples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = helpText(PRETRAIN_COMMAND); // what --help prints
 * assert.match(text, /^Usage: deno task pretrain \[--config FILE\]/);
 * assert.match(text, /--set KEY=VALUE/);
 * ```
 */
export function helpText(spec: CommandSpec): string {
  const entries = Object.entries(spec.flags);
  const usage = entries.filter(([n]) => n !== "help").map(([n, f]) =>
    f.type === "boolean"
      ? `[--${n}]`
      : `[--${n} ${f.valueName ?? "VALUE"}]${f.multiple ? "..." : ""}`
  );
  const left = entries.map(([n, f]) =>
    `${f.short ? `-${f.short}, ` : "    "}--${n}${
      f.type === "string" ? ` ${f.valueName ?? "VALUE"}` : ""
    }`
  );
  const w = Math.max(...left.map((l) => l.length)) + 3;
  // The usage line wraps at 100 columns, continuing under the first flag.
  const head = `Usage: ${spec.name} `;
  const usageLines: string[] = [];
  for (const u of usage) {
    const last = usageLines.length - 1;
    if (last >= 0 && usageLines[last].length + 1 + u.length <= 100) usageLines[last] += ` ${u}`;
    else usageLines.push(last < 0 ? head + u : " ".repeat(head.length) + u);
  }
  const lines = [
    ...(usageLines.length ? usageLines : [head.trimEnd()]),
    "",
    ...wrap(spec.summary, 96),
    "",
    "Options:",
    ...entries.map(([_, f], i) => {
      const extra = [
        f.choices ? `one of: ${f.choices.join(", ")}` : "",
        f.multiple ? "repeatable" : "",
      ].filter(Boolean).join("; ");
      const text = `${f.description}${extra ? ` (${extra})` : ""}`;
      const indent = " ".repeat(w + 2);
      return wrap(text, 100 - w - 2).map((l, j) => j ? indent + l : `  ${left[i].padEnd(w)}${l}`)
        .join("\n");
    }),
  ];
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const HELP = { type: "boolean", short: "h", description: "show this help and exit" } as const;
/** `--backend` of the commands that work on a run (its `train.backend` by default). */
const RUN_BACKEND = {
  type: "string",
  valueName: "NAME",
  choices: BACKEND_REQUESTS,
  description: "TensorFlow.js backend (default the run's train.backend)",
} as const;

/**
 * `deno task pretrain`: flags `--config`, `--set` (repeatable), `--backend`, `--resume`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--backend", "wasm", "--set", "optim.epochs=1"], PRETRAIN_COMMAND);
 * assert.equal(args.backend, "wasm");
 * assert.throws(() => parseArgs(["--backend", "gpu"], PRETRAIN_COMMAND), ArgsError);
 * ```
 */
export const PRETRAIN_COMMAND = {
  name: "deno task pretrain",
  summary: "Pretrain an encoder with SimCLR as described by a YAML pipeline (default: " +
    "pipelines/fashion-mnist.yaml), then evaluate it (kNN and linear probe against a random-init " +
    "encoder) and write a run directory with config.yaml, metrics.jsonl, checkpoints, eval.json " +
    "and report.html. Ctrl-C stops after writing a checkpoint; a second Ctrl-C exits at once.",
  flags: {
    config: { type: "string", valueName: "FILE", description: "pipeline YAML file" },
    set: {
      type: "string",
      multiple: true,
      valueName: "KEY=VALUE",
      description: "override a config field, e.g. --set optim.epochs=10",
    },
    backend: {
      type: "string",
      valueName: "NAME",
      choices: BACKEND_REQUESTS,
      description: "TensorFlow.js backend (overrides train.backend)",
    },
    resume: {
      type: "string",
      valueName: "RUN_DIR",
      description: "continue a run from its last checkpoint, or from one of its kept " +
        "checkpoints when given its file (RUN_DIR/checkpoint-step<N>.safetensors). Its " +
        "config.yaml is used; --set may change only how the run executes, not what is " +
        `trained (${resumeChangeableKeys()}); not with --config`,
    },
    dist: {
      type: "string",
      valueName: "MODE",
      choices: ["auto", "single", "mpi"],
      description: "processes: auto (MPI under mpirun), single, mpi (overrides dist.mode)",
    },
    help: HELP,
  },
  examples: [
    "deno task pretrain",
    "deno task pretrain --config pipelines/cifar10.yaml --set optim.epochs=100 --backend webgpu",
    "deno task pretrain --resume runs/fashion-mnist-20260101-120000",
    "deno task pretrain --resume runs/fashion-mnist-20260101-120000/checkpoint-step000100.safetensors",
  ],
} as const satisfies CommandSpec;

/**
 * `deno task eval`: flags `--run`, `--set`, `--backend`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--run", "runs/x"], EVAL_COMMAND);
 * assert.equal(args.run, "runs/x");
 * ```
 */
export const EVAL_COMMAND = {
  name: "deno task eval",
  summary: "Evaluate a run's encoder: kNN (k=200, cosine, T=0.1) top-1/top-5 and linear-probe " +
    "top-1 on frozen features, against a random-init encoder as the floor. Writes eval.json and " +
    "refreshes report.html in the run directory.",
  flags: {
    run: { type: "string", valueName: "RUN_DIR", description: "the run directory (required)" },
    set: {
      type: "string",
      multiple: true,
      valueName: "KEY=VALUE",
      description: "override an eval field, e.g. --set eval.knn.k=20",
    },
    backend: {
      type: "string",
      valueName: "NAME",
      choices: BACKEND_REQUESTS,
      description: "TensorFlow.js backend",
    },
    help: HELP,
  },
  examples: ["deno task eval --run runs/fashion-mnist-20260101-120000"],
} as const satisfies CommandSpec;

/**
 * `deno task finetune`: flags `--run`, `--labels`, `--out`, `--set`, `--backend`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--run", "runs/x", "--labels", "1%"], FINETUNE_COMMAND);
 * assert.equal(args.labels, "1%");
 * ```
 */
export const FINETUNE_COMMAND = {
  name: "deno task finetune",
  summary: "Few-label fine-tuning (the SimCLR paper's semi-supervised protocol): draw a " +
    "class-balanced labelled subset of the run's eval.trainSplit by run.seed (the same subset " +
    "for the same seed; listed in subset.json), fine-tune the pretrained encoder plus a new " +
    "linear head on it with crop-and-flip views (Nesterov momentum, LR 0.05 x batch/256, " +
    "cosine, no weight decay; 60 epochs for up to 1% of the labels, else 30: see finetune.* " +
    "in the config), do the same from a random-init encoder, and report test top-1/top-5 of " +
    "both beside a linear probe of the frozen encoder on the same labels. Writes its own " +
    "directory: config.yaml, subset.json, metrics.jsonl, checkpoint.safetensors (random-init/ " +
    "for the floor), eval.json and report.html. One process; Ctrl-C stops it (not resumable).",
  flags: {
    run: {
      type: "string",
      valueName: "RUN_DIR",
      description: "the pretraining run directory (required)",
    },
    labels: {
      type: "string",
      valueName: "SHARE_OR_COUNT",
      description: "labelled samples: a share such as 1% or 10%, or a count such as 600 " +
        "(default the config's finetune.labels, 10%)",
    },
    out: {
      type: "string",
      valueName: "DIR",
      description: "output directory, new or empty (default RUN_DIR/finetune-<labels>-<time>)",
    },
    set: {
      type: "string",
      multiple: true,
      valueName: "KEY=VALUE",
      description: "override a config field, e.g. --set finetune.epochs=10 --set run.seed=1",
    },
    backend: RUN_BACKEND,
    help: HELP,
  },
  examples: [
    "deno task finetune --run runs/fashion-mnist-20260101-120000 --labels 1%",
    "deno task finetune --run runs/x --labels 600 --set finetune.randomInit=false",
  ],
} as const satisfies CommandSpec;

/**
 * `deno task export`: flags `--run`, `--format`, `--out`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--run", "runs/x", "--format", "tfjs"], EXPORT_COMMAND);
 * assert.equal(args.format, "tfjs");
 * ```
 */
export const EXPORT_COMMAND = {
  name: "deno task export",
  summary:
    "Export a run's encoder. torchvision (default): safetensors with torchvision parameter " +
    "names, for ResNet.load_state_dict. tfjs: a TensorFlow.js LayersModel (model.json + weight " +
    "shards) that tf.loadLayersModel loads in a browser or in Deno, input NHWC, output the " +
    "features h, with the run's input size and normalization in its userDefinedMetadata.",
  flags: {
    run: { type: "string", valueName: "RUN_DIR", description: "the run directory (required)" },
    format: {
      type: "string",
      valueName: "FORMAT",
      choices: ["torchvision", "tfjs"],
      description: "what to write (default torchvision)",
    },
    out: {
      type: "string",
      valueName: "PATH",
      description: "output file (torchvision; default RUN_DIR/encoder.safetensors) or folder " +
        "(tfjs; default RUN_DIR/tfjs)",
    },
    help: HELP,
  },
  examples: [
    "deno task export --run runs/fashion-mnist-20260101-120000",
    "deno task export --run runs/fashion-mnist-20260101-120000 --format tfjs",
  ],
} as const satisfies CommandSpec;

/**
 * `deno task embed`: flags `--run`, `--data`, `--split`, `--out`, `--projections`, `--batch`,
 * `--workers`, `--on-error`, `--decoder`, `--backend`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--run", "runs/x", "--data", "photos/", "--projections"], EMBED_COMMAND);
 * assert.equal(args.data, "photos/");
 * assert.equal(args.projections, true);
 * ```
 */
export const EMBED_COMMAND = {
  name: "deno task embed",
  summary: "Embed every image of a folder, tar shards or a named dataset with a run's encoder " +
    "(inference mode; the run's evaluation transform: eval.crop, resized to the run's size, the " +
    "run's normalization), streaming: rows are written as they come. Writes OUT (a NumPy float32 " +
    "matrix, one row per image), OUT's .keys.jsonl (key, label where known, in row order) and " +
    ".json (what was embedded, skipped inputs). Rows follow the dataset's order, so the same " +
    "input gives the same files.",
  flags: {
    run: { type: "string", valueName: "RUN_DIR", description: "the run directory (required)" },
    data: {
      type: "string",
      valueName: "PATH_OR_DATASET",
      description: "an image folder, tar shards (a.tar, 'train-{000..009}.tar', URLs) or a " +
        "dataset name (fashion-mnist, mnist, cifar10, cifar100) (required)",
    },
    split: {
      type: "string",
      valueName: "SPLIT",
      choices: ["train", "test"],
      description: "split of a named dataset (default test)",
    },
    out: {
      type: "string",
      valueName: "FILE",
      description: "the features' .npy (default RUN_DIR/embeddings.npy)",
    },
    projections: {
      type: "boolean",
      description: "also write the projections z (OUT with .z.npy)",
    },
    batch: {
      type: "string",
      valueName: "N",
      description: "images per encoder call (default 128, 32 at 224 x 224: fewer for large views)",
    },
    workers: {
      type: "string",
      valueName: "N",
      description: "decode workers (default the run's data.workers; 0: on the main thread)",
    },
    "on-error": {
      type: "string",
      valueName: "WHAT",
      choices: ["fail", "skip"],
      description:
        "an unreadable image: fail, or skip and list it (default the run's data.onError)",
    },
    decoder: {
      type: "string",
      valueName: "NAME",
      choices: ["imagescript", "sharp"],
      description: "image decoder (default the run's data.decoder; sharp is several times " +
        "faster on large photos)",
    },
    backend: RUN_BACKEND,
    help: HELP,
  },
  examples: [
    "deno task embed --run runs/fashion-mnist-20260101-120000 --data fashion-mnist",
    "deno task embed --run runs/x --data ~/photos --out photos.npy --on-error skip",
  ],
} as const satisfies CommandSpec;

/**
 * `deno task neighbors`: flags `--embeddings`, `--query`, `--key`, `-k`, `--html`, `--run`,
 * `--backend`, `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = parseArgs(["--embeddings", "e.npy", "--key", "a.png", "-k", "5"], NEIGHBORS_COMMAND);
 * assert.equal(args.k, "5");
 * ```
 */
export const NEIGHBORS_COMMAND = {
  name: "deno task neighbors",
  summary: "The k nearest rows of an embedding by cosine similarity (exact search over the whole " +
    "matrix, read in blocks). The query is a row of the embedding (--key, itself left out) or " +
    "an image embedded with the same run and transform (--query). Prints rank, similarity and " +
    "key, and writes a self-contained HTML page with the query and its neighbours as thumbnails.",
  flags: {
    embeddings: {
      type: "string",
      valueName: "FILE",
      description: "the .npy that 'deno task embed' wrote (required)",
    },
    query: { type: "string", valueName: "IMAGE", description: "an image file to search for" },
    key: { type: "string", valueName: "KEY", description: "a row's key (as in the .keys.jsonl)" },
    k: { type: "string", short: "k", valueName: "K", description: "neighbours (default 10)" },
    html: {
      type: "string",
      valueName: "FILE",
      description: "the page (default: next to the embeddings, NAME.neighbors.html)",
    },
    run: {
      type: "string",
      valueName: "RUN_DIR",
      description: "the run that embeds --query (default: the one the embedding names)",
    },
    backend: {
      type: "string",
      valueName: "NAME",
      choices: BACKEND_REQUESTS,
      description: "TensorFlow.js backend for --query (default the run's train.backend)",
    },
    help: HELP,
  },
  examples: [
    "deno task neighbors --embeddings runs/x/embeddings.npy --key 'fashion-mnist/test[0]' -k 5",
    "deno task neighbors --embeddings photos.npy --query cat.jpg",
  ],
} as const satisfies CommandSpec;
