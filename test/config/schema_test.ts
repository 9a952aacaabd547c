import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/mod.ts";
import { didYouMean } from "../../src/config/errors.ts";
import { parseConfig } from "../../src/config/_parse.ts";
import { pipelineSchema } from "../../src/config/pipeline.ts";
import { schemaReference } from "../../src/config/_reference.ts";
import { describeAllowed, s } from "../../src/config/_schema.ts";

Deno.test("a custom schema: defaults, optional keys and nested objects", () => {
  const schema = s.object({
    lr: s.number({ min: 0, minExclusive: true, default: 0.1 }),
    tag: s.string({ optional: true }),
    sizes: s.array(s.int({ min: 1 }), { default: [1, 2] }),
    inner: s.object({ on: s.bool({ default: true }), mode: s.enum(["a", "b"], { default: "a" }) }),
  });
  const v = parseConfig(schema, "lr: 0.5\ninner:\n  mode: b\n");
  assert.deepEqual(v, { lr: 0.5, sizes: [1, 2], inner: { on: true, mode: "b" } });
  const typed: { lr: number; tag: string | undefined; inner: { mode: "a" | "b" } } = v;
  void typed;
  assert.throws(() => parseConfig(schema, "lr: 0\n", { source: "x.yml" }), ConfigError);
});

Deno.test("a required key without default is reported at its parent", () => {
  const schema = s.object({ a: s.object({ need: s.int() }) });
  assert.throws(
    () => parseConfig(schema, "a:\n  other: 1\n", { source: "f" }),
    (e: ConfigError) => {
      assert.deepEqual(e.issues.map((i) => [i.path, i.line, i.column]), [
        ["a.other", 2, 3],
        ["a.need", 2, 3],
      ]);
      assert.match(e.issues[1].message, /missing required value/);
      return true;
    },
  );
});

Deno.test("allowed-value words and suggestions", () => {
  assert.equal(
    describeAllowed(s.number({ min: 0, max: 1, maxExclusive: true })),
    "a number in [0, 1)",
  );
  assert.equal(describeAllowed(s.int({ min: 1 })), "an integer >= 1");
  assert.equal(describeAllowed(s.enum([2, 3])), "one of: 2, 3");
  assert.equal(didYouMean("out_dir", ["name", "outDir", "seed"]), "outDir");
  assert.equal(didYouMean("temprature", ["temperature", "k"]), "temperature");
  assert.equal(didYouMean("zzz", ["temperature", "k"]), undefined);
});

Deno.test("the schema reference lists every leaf key with its range and default", () => {
  const ref = schemaReference(pipelineSchema);
  assert.match(
    ref,
    /^optim\.batchSize +an integer in \[2, 1048576\]; default 4096\. global batch/m,
  );
  assert.match(ref, /^eval\.knn\.k +an integer in \[1, 10000\]; default 200/m);
  assert.match(ref, /^data\.path +a string; optional/m);
});
