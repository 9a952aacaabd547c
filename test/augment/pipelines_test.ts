/** The `augment` sections of the shipped YAML pipelines resolve to valid specs. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { resolveAugment } from "../../src/augment/presets.ts";

Deno.test("every pipelines/*.yaml augment section resolves", () => {
  const dir = new URL("../../pipelines/", import.meta.url);
  let files: string[] = [];
  try {
    files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".yaml"));
  } catch {
    return; // no pipelines folder yet
  }
  for (const name of files) {
    const doc = parse(Deno.readTextFileSync(new URL(name, dir))) as { augment?: object };
    if (!doc?.augment) continue;
    const spec = resolveAugment(doc.augment);
    assert.ok(spec.size >= 8, `${name}: size ${spec.size}`);
  }
});
