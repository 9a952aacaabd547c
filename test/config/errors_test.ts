import assert from "node:assert/strict";
import { ConfigError, type ConfigIssue, parsePipeline } from "../../src/config/mod.ts";

function issuesOf(text: string, overrides: string[] = []): ConfigIssue[] {
  try {
    parsePipeline(text, "p.yaml", { overrides });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail("expected a ConfigError");
}

// Lines and columns below are 1-based and counted by hand against these texts.
const TEXT = [
  "model:", //                      line 1
  "  encoder: resnet19", //         line 2: value at column 12
  "  head:", //                     line 3
  "    layres: 3", //               line 4: key at column 5
  "optim:", //                      line 5
  "  batchSize: big", //            line 6: value at column 14
  "  momentum: 1.5", //             line 7: value at column 13
  "  epochs: 2.5", //               line 8: value at column 11
].join("\n");

Deno.test("every problem is reported with its line, column and the allowed values", () => {
  const issues = issuesOf(TEXT);
  const got = issues.map((i) => [i.path, i.line, i.column]);
  // Issues come in schema order: model before optim; in optim: momentum, epochs, batchSize.
  assert.deepEqual(got, [
    ["model.encoder", 2, 12],
    ["model.head.layres", 4, 5],
    ["optim.momentum", 7, 13],
    ["optim.epochs", 8, 11],
    ["optim.batchSize", 6, 14],
  ]);
  const by = Object.fromEntries(issues.map((i) => [i.path, i]));
  // Wrong enum value: names the allowed values and the likely one.
  assert.match(
    by["model.encoder"].message,
    /'resnet19' is not an allowed value \(did you mean 'resnet18'\?\)/,
  );
  assert.equal(by["model.encoder"].allowed, "one of: resnet18, resnet34, resnet50, small");
  // Unknown key: did you mean, and the keys that exist there.
  assert.match(
    by["model.head.layres"].message,
    /unknown key 'layres' in 'model.head' \(did you mean 'layers'\?\)/,
  );
  assert.equal(by["model.head.layres"].allowed, "keys: layers, hidden, out, output");
  // Wrong type.
  assert.match(
    by["optim.batchSize"].message,
    /expected an integer in \[2, 1048576\], got the string 'big'/,
  );
  // Out of range, with the interval.
  assert.match(by["optim.momentum"].message, /1\.5 is out of range \(must be in \[0, 1\)\)/);
  assert.match(by["optim.epochs"].message, /expected an integer, got 2\.5/);
});

Deno.test("the error message prints file:line:column for each issue", () => {
  assert.throws(() => parsePipeline("run:\n  seed: -1\n", "pipelines/x.yaml"), (e: Error) => {
    assert.match(e.message, /^invalid configuration \(1 problem\):\n/);
    assert.match(
      e.message,
      /pipelines\/x\.yaml:2:9: run\.seed: -1 is out of range \(must be in \[0, 4294967295\]\)/,
    );
    assert.match(e.message, /allowed: an integer in \[0, 4294967295\]/);
    return true;
  });
});

Deno.test("unknown top-level key, wrong section type and YAML syntax errors", () => {
  const a = issuesOf("dataa:\n  dataset: mnist\n");
  assert.deepEqual([a[0].line, a[0].column], [1, 1]);
  assert.match(a[0].message, /unknown key 'dataa' at the top level \(did you mean 'data'\?\)/);
  assert.match(
    a[0].allowed!,
    /^keys: run, data, augment, model, loss, optim, train, eval, dist, finetune$/,
  );

  const b = issuesOf("loss: 0.1\n");
  assert.deepEqual([b[0].path, b[0].line, b[0].column], ["loss", 1, 7]);
  assert.match(b[0].message, /expected a mapping, got the number 0\.1/);

  const c = issuesOf("model:\n  encoder: [resnet18\n");
  assert.equal(c[0].line >= 2, true);
  assert.equal(c[0].path, "");

  const d = issuesOf("eval:\n  knn:\n    k: 10\n    k: 20\n");
  assert.deepEqual([d[0].line, d[0].column], [4, 5]);
  assert.match(d[0].message, /unique/);
});

Deno.test("cross-field rules point at the offending key", () => {
  const a = issuesOf("data:\n  dataset: imagefolder\n");
  assert.deepEqual([a[0].path, a[0].line, a[0].column], ["data.path", 2, 3]);
  assert.match(a[0].message, /data\.path is required for dataset 'imagefolder'/);

  const b = issuesOf("augment:\n  preset: simclr-gray\nmodel:\n  inChannels: 3\n");
  assert.deepEqual([b[0].path, b[0].line, b[0].column], ["model.inChannels", 4, 15]);

  const c = issuesOf("optim:\n  batchSize: 100\n  accumulateSteps: 3\n");
  assert.deepEqual([c[0].path, c[0].line, c[0].column], ["optim.accumulateSteps", 3, 20]);
});

Deno.test("strings, lists and booleans are checked too", () => {
  const a = issuesOf("run:\n  name: 'bad name'\naugment:\n  mean: [0.5, 0.5]\n  blur: yes\n");
  const by = Object.fromEntries(a.map((i) => [i.path, i]));
  assert.deepEqual([by["run.name"].line, by["run.name"].column], [2, 9]);
  assert.match(by["run.name"].allowed!, /letters, digits/);
  // YAML 1.2: `yes` is a string, not a boolean.
  assert.deepEqual([by["augment.blur"].line, by["augment.blur"].column], [5, 9]);
  assert.match(by["augment.blur"].message, /expected true or false, got the string 'yes'/);
  const b = issuesOf("augment:\n  std: [0.5, 0, 0.5]\n");
  assert.deepEqual([b[0].path, b[0].line, b[0].column], ["augment.std.1", 2, 14]);
  assert.match(b[0].allowed!, /a number > 0/);
  const c = issuesOf("augment:\n  mean: [1, 2, 3, 4]\n");
  assert.match(c[0].message, /expected 1 to 3 items, got 4/);
});
