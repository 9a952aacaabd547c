import assert from "node:assert/strict";
import { ConfigError, type ConfigIssue, parsePipeline } from "../../src/config/mod.ts";

const BASE = "optim:\n  epochs: 3\neval:\n";

function issuesOf(text: string, overrides: string[]): ConfigIssue[] {
  try {
    parsePipeline(text, "p.yaml", { overrides });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("--set overrides file values, fills empty sections and parses YAML scalars", () => {
  const cfg = parsePipeline(BASE, "p.yaml", {
    overrides: [
      "optim.epochs=7",
      "eval.knn.k=20", // `eval:` is empty (null) in the file
      "run.name=quick",
      "augment.blur=false",
      "augment.mean=[0.5, 0.4, 0.3]",
      "model.head={layers: 3, out: 64}",
      "optim.epochs=9", // the last one wins
      "train.threads=2",
    ],
  });
  assert.equal(cfg.optim.epochs, 9);
  assert.equal(cfg.eval.knn.k, 20);
  assert.equal(cfg.eval.knn.temperature, 0.1);
  assert.equal(cfg.run.name, "quick");
  assert.equal(cfg.augment.blur, false);
  assert.deepEqual(cfg.augment.mean, [0.5, 0.4, 0.3]);
  assert.deepEqual(cfg.model.head, { layers: 3, out: 64, output: "linear" });
  assert.equal(cfg.train.threads, 2);
});

Deno.test("an overridden value is validated like the file, and the error names the --set", () => {
  const [a] = issuesOf(BASE, ["optim.epochs=0"]);
  assert.equal(a.source, "--set optim.epochs=0");
  assert.equal(a.origin, "override");
  assert.equal(a.column, 14); // the value's first character
  assert.equal(a.path, "optim.epochs");
  assert.match(a.message, /0 is out of range \(must be in \[1, 100000\]\)/);

  const [b] = issuesOf(BASE, ["model.encoder=resnet101"]);
  assert.equal(b.column, 15);
  assert.equal(b.allowed, "one of: resnet18, resnet34, resnet50, small");

  const [c] = issuesOf(BASE, ["augment.mean=[0.5, x, 0.3]"]);
  assert.deepEqual([c.path, c.column], ["augment.mean.1", 20]);
});

Deno.test("unknown keys in a --set path point at the bad segment with suggestions", () => {
  const [a] = issuesOf(BASE, ["optim.batch_size=64"]);
  assert.equal(a.column, 7);
  assert.match(a.message, /unknown key 'batch_size' in 'optim' \(did you mean 'batchSize'\?\)/);
  assert.match(a.allowed!, /^keys: name, baseLr, /);

  const [b] = issuesOf(BASE, ["modle.encoder=small"]);
  assert.equal(b.column, 1);
  assert.match(b.message, /did you mean 'model'/);

  const [c] = issuesOf(BASE, ["optim.epochs.x=1"]);
  assert.match(c.message, /'optim.epochs' is not a mapping/);

  const [d] = issuesOf(BASE, ["optim.epochs"]);
  assert.match(d.message, /expected key\.path=value, got 'optim\.epochs'/);
});

Deno.test("the formatted message quotes the --set and its column", () => {
  assert.throws(
    () => parsePipeline(BASE, "p.yaml", { overrides: ["loss.temperature=-1"] }),
    /--set loss\.temperature=-1 \(column 18\): loss\.temperature: -1 is out of range \(must be in \(0, 10\]\)/,
  );
});

Deno.test("file and --set problems are reported together", () => {
  const issues = issuesOf("optim:\n  epochs: -3\n", ["train.backend=gpu"]);
  assert.deepEqual(issues.map((i) => [i.source, i.line, i.column]), [
    ["p.yaml", 2, 11],
    ["--set train.backend=gpu", 1, 15],
  ]);
});
