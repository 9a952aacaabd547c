/**
 * Pipeline configuration: the YAML files in `pipelines/` loaded into a typed, validated
 * {@link PipelineConfig} with every default filled in, `--set key.path=value` overrides, and
 * errors ({@link ConfigError}) that point at `file:line:column`.
 *
 * The training path calls {@link loadPipeline} (what `deno task pretrain --config FILE` does)
 * and hands the config to `pretrain` from `@simclr/streams/pipeline`; a run saves the resolved
 * config with {@link configToYaml}.
 *
 * @example Loading a pipeline, overriding a key, saving the resolved config
 * ```ts
 * import { configToYaml, loadPipeline, parsePipeline } from "@simclr/streams/config";
 * import assert from "node:assert/strict";
 *
 * const cfg = await loadPipeline("pipelines/fashion-mnist.yaml", {
 *   overrides: ["optim.epochs=1"],
 * });
 * assert.equal(cfg.data.dataset, "fashion-mnist");
 * assert.equal(cfg.optim.epochs, 1);
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/config.yaml`, configToYaml(cfg));
 *   const again = parsePipeline(await Deno.readTextFile(`${dir}/config.yaml`), "config.yaml");
 *   assert.equal(again.optim.epochs, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 * @module
 */
export { ConfigError, type ConfigIssue } from "./errors.ts";
export {
  configToYaml,
  DEFAULT_PIPELINE,
  loadPipeline,
  parsePipeline,
  type PipelineOptions,
  PIPELINES_DIR,
} from "./load.ts";
export type { PipelineConfig } from "./pipeline.ts";
