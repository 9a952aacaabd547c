/**
 * Pipeline configuration: a small schema language, YAML loading with errors that point at
 * `file:line:column`, `--set key.path=value` overrides, and the SimCLR pipeline schema.
 *
 * @example
 * ```ts
 * import { configToYaml, loadPipeline } from "./src/config/mod.ts";
 * const cfg = await loadPipeline("pipelines/fashion-mnist.yaml", { overrides: ["optim.epochs=1"] });
 * await Deno.writeTextFile("runs/x/config.yaml", configToYaml(cfg));
 * ```
 * @module
 */
export {
  type AnySchema,
  type ArraySchema,
  type BoolSchema,
  type CheckIssue,
  describeAllowed,
  type EnumSchema,
  type Infer,
  type InferFields,
  type NumberSchema,
  type ObjectSchema,
  s,
  type SchemaBase,
  type StringSchema,
} from "./schema.ts";
export { ConfigError, type ConfigIssue, didYouMean, formatIssue } from "./errors.ts";
export { parseConfig, type ParseOptions } from "./parse.ts";
export {
  configToYaml,
  DEFAULT_PIPELINE,
  loadPipeline,
  parsePipeline,
  type PipelineOptions,
  PIPELINES_DIR,
} from "./load.ts";
export {
  augmentSchema,
  dataSchema,
  distSchema,
  evalSchema,
  lossSchema,
  modelSchema,
  optimSchema,
  type PipelineConfig,
  pipelineSchema,
  runSchema,
  trainSchema,
} from "./pipeline.ts";
export { schemaReference } from "./reference.ts";
