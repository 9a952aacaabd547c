/** A plain-text reference of every key a schema accepts, for `--help` and documentation. */
import { type AnySchema, describeAllowed } from "./_schema.ts";

/** One line per leaf key: `path  allowed; default ...  description` (for `--help`). */
export function schemaReference(schema: AnySchema, prefix = ""): string {
  const rows: string[][] = [];
  const walk = (node: AnySchema, path: string) => {
    if (node.kind === "object") {
      for (const [key, child] of Object.entries(node.fields)) {
        walk(child as AnySchema, path ? `${path}.${key}` : key);
      }
      return;
    }
    const def = node.default !== undefined
      ? `default ${JSON.stringify(node.default)}`
      : node.optional
      ? "optional"
      : "required";
    rows.push([path, `${describeAllowed(node)}; ${def}`, node.description ?? ""]);
  };
  walk(schema, prefix);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  return rows.map((r) => `${r[0].padEnd(w0)}  ${r[1]}${r[2] ? `. ${r[2]}` : ""}`).join("\n");
}
