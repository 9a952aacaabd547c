import assert from "node:assert/strict";
import {
  ArgsError,
  type CommandSpec,
  EVAL_COMMAND,
  EXPORT_COMMAND,
  helpText,
  parseArgs,
  PRETRAIN_COMMAND,
} from "../../src/cli/args.ts";

Deno.test("pretrain flags: both value forms, repeated --set, defaults", () => {
  const a = parseArgs(
    [
      "--config",
      "p.yaml",
      "--set",
      "optim.epochs=1",
      "--set=loss.temperature=0.5",
      "--backend=wasm",
    ],
    PRETRAIN_COMMAND,
  );
  assert.deepEqual(a, {
    config: "p.yaml",
    set: ["optim.epochs=1", "loss.temperature=0.5"],
    backend: "wasm",
    resume: undefined,
    dist: undefined,
    help: false,
  });
  // The parsed type follows the spec.
  const set: string[] = a.set;
  const config: string | undefined = a.config;
  const help: boolean = a.help;
  void [set, config, help];
  assert.deepEqual(parseArgs([], PRETRAIN_COMMAND), {
    config: undefined,
    set: [],
    backend: undefined,
    resume: undefined,
    dist: undefined,
    help: false,
  });
  assert.equal(parseArgs(["-h"], PRETRAIN_COMMAND).help, true);
  assert.equal(parseArgs(["--help"], EVAL_COMMAND).help, true);
  assert.equal(parseArgs(["--run", "runs/x"], EXPORT_COMMAND).run, "runs/x");
  // A value may start with a single dash.
  assert.deepEqual(parseArgs(["--set", "-x"], PRETRAIN_COMMAND).set, ["-x"]);
});

Deno.test("mistakes give errors that say how to fix them", () => {
  const err = (argv: string[], spec: CommandSpec = PRETRAIN_COMMAND) => {
    try {
      parseArgs(argv, spec);
    } catch (e) {
      assert.ok(e instanceof ArgsError);
      return e.message;
    }
    assert.fail(`no error for ${argv.join(" ")}`);
  };
  assert.equal(
    err(["--confg", "x.yaml"]),
    "unknown flag '--confg' for deno task pretrain (did you mean --config?); " +
      "known flags: --config, --set, --backend, --resume, --dist, --help",
  );
  assert.match(err(["--run", "x"]), /unknown flag '--run' .*known flags: --config/);
  assert.match(err(["--config"]), /^--config needs a value: --config FILE$/);
  assert.match(err(["--config", "--set", "a=1"]), /--config needs a value/);
  assert.match(err(["--config", "a", "--config", "b"]), /--config was given more than once/);
  assert.match(
    err(["--backend", "webgpx"]),
    /--backend 'webgpx' is not one of: auto, tensorflow, webgpu, native, wasm, cpu \(did you mean 'webgpu'\?\)/,
  );
  assert.match(err(["pipelines/x.yaml"]), /unexpected argument 'pipelines\/x\.yaml'.*--config/);
  assert.match(err(["--help=yes"]), /--help takes no value/);
  assert.match(err(["-x"]), /unknown flag '-x'/);
  assert.match(err(["--out", "f"], EVAL_COMMAND), /known flags: --run, --set, --backend, --help/);
});

Deno.test("help text lists usage, every flag with its value name, choices and examples", () => {
  const text = helpText(PRETRAIN_COMMAND);
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "Usage: deno task pretrain [--config FILE] [--set KEY=VALUE]... [--backend NAME] [--resume RUN_DIR]",
  );
  assert.equal(lines[1], "                          [--dist MODE]");
  assert.match(text, /\n {6}--config FILE {6}pipeline YAML file\n/);
  assert.match(
    text,
    /--set KEY=VALUE +override a config field, e\.g\. --set optim\.epochs=10 \(repeatable\)/,
  );
  assert.match(
    text,
    /--backend NAME {5}TensorFlow\.js backend .*\(one of: auto, tensorflow,\n {25}webgpu, native, wasm, cpu\)\n/,
  );
  assert.match(text, /\n {2}-h, --help +show this help and exit/);
  assert.match(text, /Examples:\n {2}deno task pretrain\n/);
  assert.ok(lines.every((l) => l.length <= 100), "lines stay readable");
  assert.match(helpText(EVAL_COMMAND), /^Usage: deno task eval \[--run RUN_DIR\]/);
  assert.match(helpText(EXPORT_COMMAND), /safetensors/);
});
