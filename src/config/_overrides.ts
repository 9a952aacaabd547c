/**
 * `--set key.path=value` overrides, applied to a parsed YAML document before validation, so an
 * overridden value is checked exactly like one written in the file and its errors name the
 * `--set` and the column in it.
 */
import { type Document, isMap, isScalar, Pair, parseDocument, Scalar, visit, YAMLMap } from "yaml";
import type { AnySchema, ObjectSchema } from "./_schema.ts";
import { didYouMean } from "./errors.ts";
import type { Position } from "./_validate.ts";

/** Where nodes created from `--set` arguments came from. */
export type OverrideOrigins = WeakMap<object, Position>;

/** The label an override's issues carry: the argument as typed. */
export function overrideLabel(arg: string): string {
  return `--set ${arg}`;
}

/**
 * Applies `arg` (`a.b.c=value`, value parsed as YAML) to `doc`. Nodes it creates are recorded in
 * `origins`; problems go to `report` with their column in `arg`.
 */
export function applyOverride(
  doc: Document,
  arg: string,
  schema: ObjectSchema,
  origins: OverrideOrigins,
  report: (pos: Position, path: string, message: string, allowed?: string) => void,
): void {
  const source = overrideLabel(arg);
  const at = (column: number): Position => ({ source, origin: "override", line: 1, column });
  const eq = arg.indexOf("=");
  if (eq <= 0) {
    report(at(1), "", `expected key.path=value, got '${arg}'`, "--set section.key=value");
    return;
  }
  const keys = arg.slice(0, eq).split(".");
  // Check the key path against the schema, pointing at the first bad segment.
  let sub: AnySchema = schema;
  let column = 1;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i].trim();
    const path = keys.slice(0, i + 1).join(".");
    if (sub.kind !== "object") {
      const parent = keys.slice(0, i).join(".");
      report(at(column), path, `'${parent}' is not a mapping, so it has no key '${key}'`);
      return;
    }
    const known = Object.keys(sub.fields);
    if (!(key in sub.fields)) {
      const guess = didYouMean(key, known);
      const hint = guess ? ` (did you mean '${guess}'?)` : "";
      const where = i ? `in '${keys.slice(0, i).join(".")}'` : "at the top level";
      report(at(column), path, `unknown key '${key}' ${where}${hint}`, `keys: ${known.join(", ")}`);
      return;
    }
    sub = sub.fields[key];
    column += keys[i].length + 1;
  }
  const text = arg.slice(eq + 1);
  const valueDoc = parseDocument(text);
  if (valueDoc.errors.length) {
    const e = valueDoc.errors[0];
    report(
      at(eq + 2 + e.pos[0]),
      keys.join("."),
      `value does not parse as YAML: ${e.message.split("\n")[0]}`,
    );
    return;
  }
  const valueStart = eq + 2; // 1-based column of the value's first character
  const value = valueDoc.contents ?? valueDoc.createNode(null);
  visit(value, {
    Node(_key, node) {
      const offset = node.range?.[0] ?? 0;
      origins.set(node, at(valueStart + offset));
    },
  });
  if (!valueDoc.contents) origins.set(value, at(valueStart));
  // Walk down the document, creating mappings where sections are missing or empty.
  if (!isMap(doc.contents)) {
    if (doc.contents && !(isScalar(doc.contents) && doc.contents.value == null)) {
      report(at(1), "", "the document is not a mapping, so --set cannot apply");
      return;
    }
    doc.contents = new YAMLMap() as unknown as typeof doc.contents;
    origins.set(doc.contents as object, at(1));
  }
  let map = doc.contents as YAMLMap;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i].trim();
    let next = getPair(map, key)?.value;
    if (!isMap(next)) {
      // A missing, empty or non-mapping section becomes a fresh mapping.
      const fresh = new YAMLMap();
      origins.set(fresh, at(1));
      setPair(map, key, fresh, origins, at(1));
      next = fresh;
    }
    map = next as YAMLMap;
  }
  setPair(map, keys[keys.length - 1].trim(), value, origins, at(1));
}

function getPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function setPair(
  map: YAMLMap,
  key: string,
  value: unknown,
  origins: OverrideOrigins,
  pos: Position,
) {
  const pair = getPair(map, key);
  if (pair) {
    pair.value = value;
    return;
  }
  const k = new Scalar(key);
  origins.set(k, pos);
  map.items.push(new Pair(k, value));
}
