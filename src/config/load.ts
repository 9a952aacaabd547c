/** Loading pipeline files, and writing the resolved config back as YAML. */
import { stringify } from "yaml";
import { parseConfig } from "./_parse.ts";
import { type PipelineConfig, pipelineSchema } from "./pipeline.ts";

/**
 * Path of the pipeline `deno task pretrain` runs when given no `--config`
 * (`pipelines/fashion-mnist.yaml`); {@link loadPipeline} reads it when called without a file.
 *
 * @example The default pipeline file
 * ```ts
 * import { DEFAULT_PIPELINE, loadPipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * assert.ok(DEFAULT_PIPELINE.endsWith("pipelines/fashion-mnist.yaml"));
 * const cfg = await loadPipeline(DEFAULT_PIPELINE);
 * assert.equal(cfg.run.name, "fashion-mnist");
 * ```
 */
export const DEFAULT_PIPELINE: string =
  new URL("../../pipelines/fashion-mnist.yaml", import.meta.url)
    .pathname;

/**
 * The folder holding the shipped pipelines (`pipelines/`, with a trailing slash).
 *
 * @example Loading a shipped pipeline by name
 * ```ts
 * import { loadPipeline, PIPELINES_DIR } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * assert.ok(PIPELINES_DIR.endsWith("/pipelines/"));
 * const cfg = await loadPipeline(`${PIPELINES_DIR}cifar10.yaml`);
 * assert.equal(cfg.run.name, "cifar10");
 * ```
 */
export const PIPELINES_DIR: string = new URL("../../pipelines/", import.meta.url).pathname;

/**
 * Options for {@link parsePipeline} and {@link loadPipeline}.
 *
 * @example Overriding keys as `--set` does
 * ```ts
 * import { parsePipeline, type PipelineOptions } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const options: PipelineOptions = { overrides: ["optim.batchSize=128", "optim.epochs=2"] };
 * const cfg = parsePipeline("optim:\n  batchSize: 512\n", "p.yaml", options);
 * assert.equal(cfg.optim.batchSize, 128);
 * assert.equal(cfg.optim.epochs, 2);
 * ```
 */
export interface PipelineOptions {
  /** `key.path=value` overrides (the `--set` arguments), applied in order. */
  overrides?: readonly string[];
}

/**
 * Validates pipeline YAML `text` and fills in every default; `source` names it in errors.
 * `run.name` defaults to the file's base name without extension.
 *
 * @param text The pipeline as YAML (only the keys that differ from the defaults).
 * @param source The file name used in error messages and for the default `run.name`.
 * @param options `--set` style overrides, applied after the text.
 * @returns The resolved config.
 * @throws {ConfigError} listing every problem, each at `file:line:column`.
 *
 * @example Parsing YAML text with an override
 * ```ts
 * import { parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline("optim:\n  batchSize: 512\n", "my.yaml", {
 *   overrides: ["loss.temperature=0.5"],
 * });
 * assert.equal(cfg.run.name, "my");
 * assert.equal(cfg.optim.batchSize, 512);
 * assert.equal(cfg.loss.temperature, 0.5);
 * ```
 *
 * @example A mistake points at its line and column
 * ```ts
 * import { ConfigError, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => parsePipeline("optim:\n  batchSize: -4\n", "bad.yaml"),
 *   (e) => e instanceof ConfigError && e.message.includes("bad.yaml:2:"),
 * );
 * ```
 */
export function parsePipeline(
  text: string,
  source = "<pipeline>",
  options: PipelineOptions = {},
): PipelineConfig {
  const config = parseConfig(pipelineSchema, text, { source, overrides: options.overrides });
  if (config.run.name === undefined) {
    const base = source.split(/[\\/]/).pop()!.replace(/\.ya?ml$/i, "");
    config.run.name = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(base) ? base : "run";
  }
  return config;
}

/**
 * Reads and validates a pipeline file (default: {@link DEFAULT_PIPELINE}), with overrides.
 * This is how `deno task pretrain --config FILE --set key=value` gets its config.
 *
 * @param file Path of the YAML pipeline.
 * @param options `--set` style overrides, applied after the file.
 * @returns The resolved config, every default filled in.
 * @throws {ConfigError} when the file does not parse or validate.
 * @throws {Error} when the file does not exist (the message lists the shipped pipelines).
 *
 * @example Loading a pipeline file with overrides
 * ```ts
 * import { loadPipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/tiny.yaml`, "optim:\n  epochs: 3\n");
 *   const cfg = await loadPipeline(`${dir}/tiny.yaml`, { overrides: ["optim.epochs=1"] });
 *   assert.equal(cfg.run.name, "tiny");
 *   assert.equal(cfg.optim.epochs, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function loadPipeline(
  file: string = DEFAULT_PIPELINE,
  options: PipelineOptions = {},
): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      const shipped = [...Deno.readDirSync(PIPELINES_DIR)].map((e) => e.name).filter((n) =>
        n.endsWith(".yaml")
      ).sort();
      throw new Error(
        `pipeline file '${file}' not found; shipped pipelines in ${PIPELINES_DIR}: ${
          shipped.join(", ")
        }`,
      );
    }
    throw err;
  }
  return parsePipeline(text, file, options);
}

/**
 * The resolved config as YAML (what a run saves as `config.yaml`); it parses back to an equal
 * config. `header` lines become `#` comments at the top.
 *
 * @param config A resolved config.
 * @param header Lines written as `#` comments before the YAML.
 * @returns The YAML text.
 *
 * @example Writing a config and reading it back
 * ```ts
 * import { configToYaml, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const cfg = parsePipeline("optim:\n  epochs: 7\n", "p.yaml");
 * const yaml = configToYaml(cfg, ["resolved config"]);
 * assert.ok(yaml.startsWith("# resolved config\n"));
 * assert.deepEqual(parsePipeline(yaml, "p.yaml"), cfg);
 * ```
 */
export function configToYaml(config: PipelineConfig, header: readonly string[] = []): string {
  const comments = header.map((l) => `# ${l}\n`).join("");
  return comments + stringify(config, { lineWidth: 0 });
}
