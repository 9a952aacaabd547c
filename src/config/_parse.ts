/**
 * Parsing a YAML configuration against a schema: syntax errors, schema errors and `--set`
 * overrides all come back as one {@link ConfigError} whose issues point at `file:line:column`.
 */
import { LineCounter, parseDocument } from "yaml";
import type { Infer, ObjectSchema } from "./_schema.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { type Position, validateNode } from "./_validate.ts";
import { applyOverride, type OverrideOrigins } from "./_overrides.ts";

/**
 * Options for {@link parseConfig}.
 */
export interface ParseOptions {
  /** Name of the source in error messages (the file path); default `<config>`. */
  source?: string;
  /** `key.path=value` overrides, applied in order after the file (the `--set` arguments). */
  overrides?: readonly string[];
}

/**
 * Parses YAML `text` and validates it against `schema`, with `overrides` applied. Returns the
 * value with defaults filled in; throws {@link ConfigError} listing every problem.
 *
 * @example Parsing against a small schema
 * ```ts
 * import { parseConfig } from "./_parse.ts";
 * import { s } from "./_schema.ts";
 * import assert from "node:assert/strict";
 *
 * const schema = s.object({ lr: s.number({ min: 0, default: 0.1 }) });
 * assert.deepEqual(parseConfig(schema, "lr: 0.3\n", { overrides: ["lr=0.5"] }), { lr: 0.5 });
 * ```
 */
export function parseConfig<S extends ObjectSchema>(
  schema: S,
  text: string,
  options: ParseOptions = {},
): Infer<S> {
  const source = options.source ?? "<config>";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const issues: ConfigIssue[] = [];
  const filePos = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { source, origin: "file", line, column: col };
  };
  for (const e of doc.errors) {
    issues.push({ ...filePos(e.pos[0]), path: "", message: e.message.split("\n")[0] });
  }
  if (issues.length) throw new ConfigError(issues);

  const origins: OverrideOrigins = new WeakMap();
  for (const arg of options.overrides ?? []) {
    applyOverride(doc, arg, schema, origins, (pos, path, message, allowed) => {
      issues.push({ ...pos, path, message, allowed });
    });
  }
  const locate = (node: unknown): Position => {
    if (node && typeof node === "object") {
      const o = origins.get(node);
      if (o) return o;
      const range = (node as { range?: [number, number, number] }).range;
      if (range) return filePos(range[0]);
    }
    return filePos(0);
  };
  const value = validateNode(
    schema,
    doc.contents ?? undefined,
    [],
    { issues, locate },
    doc.contents,
  );
  if (issues.length) throw new ConfigError(issues);
  return value as Infer<S>;
}
