/**
 * Validates a YAML node tree against a schema, collecting every problem with its position and
 * filling in defaults.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import type { AnySchema, ArraySchema, NumberSchema, ObjectSchema } from "./_schema.ts";
import { describeAllowed, describeRange } from "./_schema.ts";
import { type ConfigIssue, didYouMean } from "./errors.ts";

/** Where a node sits in its source. */
export interface Position {
  source: string;
  origin: "file" | "override";
  line: number;
  column: number;
}

/** Maps a YAML node to its position (falls back to the document start for unknown nodes). */
export type Locator = (node: unknown) => Position;

/** Validation context: where to record issues and how to locate nodes. */
export interface ValidateContext {
  issues: ConfigIssue[];
  locate: Locator;
}

const isNull = (node: unknown) => node == null || (isScalar(node) && node.value == null);

function describeNode(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return `the string '${v}'`;
    if (typeof v === "number") return `the number ${v}`;
    if (typeof v === "boolean") return `${v}`;
    return `${v}`;
  }
  return "an unsupported YAML node";
}

function issue(
  ctx: ValidateContext,
  node: unknown,
  path: string[],
  message: string,
  allowed?: string,
) {
  ctx.issues.push({ ...ctx.locate(node), path: path.join("."), message, allowed });
}

/**
 * Validates `node` (absent when `undefined`) against `schema`. `anchor` is the node to point
 * at when `node` is absent (the parent mapping or key). Returns the value with defaults.
 */
export function validateNode(
  schema: AnySchema,
  node: unknown,
  path: string[],
  ctx: ValidateContext,
  anchor: unknown,
): unknown {
  if (isNull(node)) {
    if (schema.default !== undefined) return structuredClone(schema.default);
    if (schema.kind === "object") return validateObject(schema, undefined, path, ctx, anchor);
    if (schema.optional) return undefined;
    issue(ctx, node ?? anchor, path, "missing required value", describeAllowed(schema));
    return undefined;
  }
  switch (schema.kind) {
    case "object":
      if (!isMap(node)) {
        issue(
          ctx,
          node,
          path,
          `expected a mapping, got ${describeNode(node)}`,
          describeAllowed(schema),
        );
        return undefined;
      }
      return validateObject(schema, node, path, ctx, anchor);
    case "array":
      return validateArray(schema, node, path, ctx);
    default:
      return validateScalar(schema, node, path, ctx);
  }
}

function validateScalar(
  schema: AnySchema,
  node: unknown,
  path: string[],
  ctx: ValidateContext,
): unknown {
  const allowed = describeAllowed(schema);
  if (!isScalar(node)) {
    issue(ctx, node, path, `expected ${allowed}, got ${describeNode(node)}`, allowed);
    return undefined;
  }
  const v = node.value;
  switch (schema.kind) {
    case "number":
      return validateNumber(schema, node, v, path, ctx);
    case "string": {
      // a number where numbers are accepted counts as its decimal text
      const text = schema.numbers && typeof v === "number" && Number.isFinite(v) ? String(v) : v;
      if (typeof text !== "string") {
        const hint = typeof v === "number" || typeof v === "boolean"
          ? " (quote it to make it a string)"
          : "";
        issue(ctx, node, path, `expected a string, got ${describeNode(node)}${hint}`, allowed);
        return undefined;
      }
      if (schema.pattern && !schema.pattern.test(text)) {
        issue(ctx, node, path, `'${text}' is not allowed`, allowed);
        return undefined;
      }
      return text;
    }
    case "bool":
      if (typeof v !== "boolean") {
        issue(ctx, node, path, `expected true or false, got ${describeNode(node)}`, allowed);
        return undefined;
      }
      return v;
    case "enum": {
      if ((schema.values as unknown[]).includes(v)) return v;
      const guess = typeof v === "string" || typeof v === "number"
        ? didYouMean(String(v), schema.values.map(String))
        : undefined;
      const hint = guess !== undefined ? ` (did you mean '${guess}'?)` : "";
      issue(ctx, node, path, `${describeNode(node)} is not an allowed value${hint}`, allowed);
      return undefined;
    }
  }
  return undefined;
}

function validateNumber(
  schema: NumberSchema<unknown>,
  node: Node,
  v: unknown,
  path: string[],
  ctx: ValidateContext,
): number | undefined {
  const allowed = describeAllowed(schema);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    issue(ctx, node, path, `expected ${allowed}, got ${describeNode(node)}`, allowed);
    return undefined;
  }
  if (schema.integer && !Number.isInteger(v)) {
    issue(ctx, node, path, `expected an integer, got ${v}`, allowed);
    return undefined;
  }
  const { min, max } = schema;
  const low = min !== undefined && (schema.minExclusive ? v <= min : v < min);
  const high = max !== undefined && (schema.maxExclusive ? v >= max : v > max);
  if (low || high) {
    issue(ctx, node, path, `${v} is out of range (must be ${describeRange(schema)})`, allowed);
    return undefined;
  }
  return v;
}

function validateArray(
  schema: ArraySchema,
  node: unknown,
  path: string[],
  ctx: ValidateContext,
): unknown[] | undefined {
  const allowed = describeAllowed(schema);
  if (!isSeq(node)) {
    issue(ctx, node, path, `expected a list, got ${describeNode(node)}`, allowed);
    return undefined;
  }
  const n = node.items.length;
  if (
    (schema.minItems !== undefined && n < schema.minItems) ||
    (schema.maxItems !== undefined && n > schema.maxItems)
  ) {
    const lo = schema.minItems ?? 0;
    const want = schema.maxItems === undefined
      ? `at least ${lo}`
      : lo === schema.maxItems
      ? `${lo}`
      : `${lo} to ${schema.maxItems}`;
    issue(ctx, node, path, `expected ${want} items, got ${n}`, allowed);
    return undefined;
  }
  return node.items.map((item, i) =>
    validateNode(schema.items, item, [...path, String(i)], ctx, node)
  );
}

function validateObject(
  schema: ObjectSchema,
  node: YAMLMap | undefined,
  path: string[],
  ctx: ValidateContext,
  anchor: unknown,
): Record<string, unknown> {
  const known = Object.keys(schema.fields);
  const pairs = new Map<string, Pair>();
  const before = ctx.issues.length;
  for (const pair of node?.items ?? []) {
    if (!isPair(pair)) continue;
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== "string") {
      issue(ctx, pair.key, path, `keys must be plain strings, got ${describeNode(pair.key)}`);
      continue;
    }
    if (!(key in schema.fields)) {
      const guess = didYouMean(key, known);
      const hint = guess ? ` (did you mean '${guess}'?)` : "";
      const where = path.length ? `in '${path.join(".")}'` : "at the top level";
      issue(
        ctx,
        pair.key,
        [...path, key],
        `unknown key '${key}' ${where}${hint}`,
        `keys: ${known.join(", ")}`,
      );
      continue;
    }
    pairs.set(key, pair);
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const pair = pairs.get(key);
    const value = validateNode(
      schema.fields[key],
      pair?.value ?? undefined,
      [...path, key],
      ctx,
      pair?.key ?? node ?? anchor,
    );
    if (value !== undefined) out[key] = value;
  }
  if (schema.check && ctx.issues.length === before) {
    for (const problem of schema.check(out)) {
      const target = findNode(node, problem.path) ?? node ?? anchor;
      issue(ctx, target, [...path, ...problem.path], problem.message);
    }
  }
  return out;
}

/** The value node at `keys` under `node` (or the deepest key node on the way), if any. */
function findNode(node: unknown, keys: string[]): unknown {
  let cur: unknown = node;
  let last: unknown;
  for (const key of keys) {
    if (!isMap(cur)) return last;
    const pair = cur.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair) return last;
    last = isNull(pair.value) ? pair.key : pair.value;
    cur = pair.value;
  }
  return last;
}
