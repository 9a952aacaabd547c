/** Loading pipeline files, and writing the resolved config back as YAML. */
import { stringify } from "yaml";
import { parseConfig } from "./parse.ts";
import { type PipelineConfig, pipelineSchema } from "./pipeline.ts";

/**
 * The pipeline `deno task pretrain` runs when given no `--config`.
 *
 * @example
 * ```ts
 * const cfg = await loadPipeline(DEFAULT_PIPELINE);
 * ```
 */
export const DEFAULT_PIPELINE: string =
  new URL("../../pipelines/fashion-mnist.yaml", import.meta.url)
    .pathname;

/**
 * The folder holding the shipped pipelines.
 *
 * @example
 * ```ts
 * const cfg = await loadPipeline(`${PIPELINES_DIR}cifar10.yaml`);
 * ```
 */
export const PIPELINES_DIR: string = new URL("../../pipelines/", import.meta.url).pathname;

/**
 * Options for {@link parsePipeline} and {@link loadPipeline}.
 *
 * @example
 * ```ts
 * const options: PipelineOptions = { overrides: ["optim.batchSize=128"] };
 * ```
 */
export interface PipelineOptions {
  /** `key.path=value` overrides (the `--set` arguments), applied in order. */
  overrides?: readonly string[];
}

/**
 * Validates pipeline YAML `text`; `source` names it in errors. `run.name` defaults to the
 * file's base name without extension. Throws `ConfigError` on any problem.
 *
 * @example
 * ```ts
 * const cfg = parsePipeline("optim:\n  batchSize: 512\n", "my.yaml", { overrides: ["loss.temperature=0.5"] });
 * cfg.run.name; // "my"
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
 *
 * @example
 * ```ts
 * const cfg = await loadPipeline("pipelines/cifar10.yaml", { overrides: ["optim.epochs=10"] });
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
 * @example
 * ```ts
 * await Deno.writeTextFile(`${runDir}/config.yaml`, configToYaml(cfg, ["resolved config"]));
 * ```
 */
export function configToYaml(config: PipelineConfig, header: readonly string[] = []): string {
  const comments = header.map((l) => `# ${l}\n`).join("");
  return comments + stringify(config, { lineWidth: 0 });
}
