/**
 * The programs of `examples/` run as a user runs them (`deno run -A examples/NAME.ts`), with
 * tiny settings, and print what they say: checked here against values computed independently
 * (the LR schedule's formula, `min(norm, maxNorm)`, the run's files, `deno task embed`'s rows).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Runs `examples/<name>` with `args`; its stdout, or an error with its output. */
async function runExample(name: string, args: string[]): Promise<string> {
  return await runDeno(["run", "-A", `examples/${name}`, ...args]);
}

async function runDeno(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `deno ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  return stdout;
}

/** Every match of `re` (with groups) in `text`. */
function all(text: string, re: RegExp): RegExpExecArray[] {
  return [...text.matchAll(new RegExp(re, "gm"))];
}

/** The float32 rows of a `.npy` file (little-endian `<f4`, C order), parsed here. */
async function readNpy(path: string): Promise<{ shape: number[]; data: Float32Array }> {
  const bytes = await Deno.readFile(path);
  const headerLength = new DataView(bytes.buffer).getUint16(8, true);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  assert.match(header, /'descr': '<f4'/);
  const shape = header.match(/'shape': \(([^)]*)\)/)![1].split(",").filter((s) => s.trim())
    .map(Number);
  const start = 10 + headerLength;
  return { shape, data: new Float32Array(bytes.slice(start).buffer) };
}

Deno.test("examples/custom_stage.ts: the clipping stage scales to min(norm, max) every step; the LR follows the schedule", async () => {
  const steps = 3, pairs = 8, maxNorm = 0.5;
  const out = await runExample("custom_stage.ts", [
    `--steps=${steps}`,
    `--pairs=${pairs}`,
    `--max-norm=${maxNorm}`,
    "--backend=wasm",
    "--workers=1",
  ]);
  const norms = all(out, /^step (\d+): grad norm ([\d.]+) -> ([\d.]+)/);
  assert.deepEqual(norms.map((m) => Number(m[1])), [1, 2, 3], out);
  for (const [, , before, after] of norms) {
    assert.ok(Math.abs(Number(after) - Math.min(Number(before), maxNorm)) <= 2e-4, out);
  }
  assert.ok(norms.some((m) => Number(m[2]) > maxNorm), `some step was clipped:\n${out}`);
  // The optimizer applied every step, at the cosine schedule's rate (no warmup):
  // peak * (1 + cos(pi * s / steps)) / 2 for step s = 0, 1, 2 with peak = 0.3 * pairs / 256.
  const metrics = all(out, /^step (\d+): loss ([\d.]+), lr ([\d.]+)/);
  assert.equal(metrics.length, steps, out);
  const peak = 0.3 * pairs / 256;
  for (const [, step, loss, lr] of metrics) {
    const s = Number(step) - 1;
    assert.ok(Math.abs(Number(lr) - peak * (1 + Math.cos(Math.PI * s / steps)) / 2) < 1e-4, lr);
    // NT-Xent over 2N = 16 views from a random-init net: near ln(2N - 1)
    assert.ok(Math.abs(Number(loss) - Math.log(2 * pairs - 1)) < 1, loss);
  }
  assert.match(out, /^done: 3 steps, tensors left behind: 0$/m);
  // Views come from (seed, epoch, index) alone: on the main thread, the same numbers.
  const inline = await runExample("custom_stage.ts", [
    `--steps=${steps}`,
    `--pairs=${pairs}`,
    `--max-norm=${maxNorm}`,
    "--workers=0",
  ]);
  assert.equal(inline, out);

  // A threshold above every norm leaves the gradients as they are.
  const loose = await runExample("custom_stage.ts", ["--steps=1", "--max-norm=1e6"]);
  const [[, , before, after]] = all(loose, /^step (\d+): grad norm ([\d.]+) -> ([\d.]+)/);
  assert.equal(after, before, loose);
  assert.doesNotMatch(loose, /clipped/);
});

Deno.test("examples/image_folder.ts and encoder_features.ts: a tiny run on a made-up folder, then its encoder's features", async () => {
  const runs = await Deno.makeTempDir({ prefix: "simclr-examples-test-" });
  const out = await runExample("image_folder.ts", [`--out=${runs}`]);
  const images = out.match(/^wrote a tiny image folder: (\S+)/m)?.[1];
  assert.ok(images, out);
  try {
    assert.match(out, /^data: imagefolder, 48 samples; 6 steps\/epoch of 8 pairs, 6 steps;/m);
    assert.match(out, /^steps: 6$/m);
    assert.match(out, /^evaluated: 48 train, 12 test images$/m);
    const runDir = out.match(/^run dir: (\S+)$/m)?.[1];
    assert.ok(runDir?.startsWith(`${runs}/my-images-`), out);
    const metrics = (await Deno.readTextFile(`${runDir}/metrics.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(metrics.map((m) => m.step), [1, 2, 3, 4, 5, 6]);
    assert.ok((await Deno.stat(`${runDir}/checkpoint.safetensors`)).size > 0);
    assert.ok((await Deno.readTextFile(`${runDir}/report.html`)).includes("<html"));
    const config = await Deno.readTextFile(`${runDir}/config.yaml`);
    assert.match(config, new RegExp(`path: ${images}`));

    // Its encoder: ResNet-18 at 1/8 width has 512 / 8 = 64 features; the head's default 128.
    const count = 3;
    const features = await runExample("encoder_features.ts", [
      `--run=${runDir}`,
      `--count=${count}`,
    ]);
    assert.match(features, /^features h: 3 x 64, projections z: 3 x 128$/m);
    const rows = all(features, /^(\S+): h\[0\.\.3\] ([-\d. ]+?) {2}cos\(h, h_0\) ([-\d.]+)$/);
    assert.deepEqual(
      rows.map((m) => m[1]),
      ["000", "001", "002"].map((n) => `${images}/train/blue_dots/${n}.png`),
      features,
    );
    assert.equal(rows[0][3], "1.0000");
    // Image files given on the command line.
    const file = `${images}/test/red_rows/000.png`;
    const one = await runExample("encoder_features.ts", [`--run=${runDir}`, file]);
    assert.match(one, /^features h: 1 x 64, projections z: 1 x 128$/m);
    assert.match(one, new RegExp(`^${file}: h\\[0\\.\\.3\\] `, "m"));
    // The same images through `deno task embed` (its own loading, decoding and batching).
    await runDeno([
      "run",
      "-A",
      "src/cli/embed.ts",
      `--run=${runDir}`,
      `--data=${images}/train`,
      `--out=${runs}/train.npy`,
    ]);
    const embedded = await readNpy(`${runs}/train.npy`);
    assert.equal(embedded.shape[1], 64);
    const keys = (await Deno.readTextFile(`${runs}/train.keys.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l).key);
    assert.equal(keys.length, embedded.shape[0]);
    for (const [, key, values] of rows) {
      const row = keys.indexOf(key);
      assert.ok(row >= 0, `${key} embedded`);
      values.split(" ").map(Number).forEach((v, j) => {
        assert.ok(Math.abs(v - embedded.data[row * 64 + j]) < 2e-5, `${key} col ${j}: ${v}`);
      });
    }
  } finally {
    await Deno.remove(images, { recursive: true });
    await Deno.remove(runs, { recursive: true });
  }
});

Deno.test("examples/encoder_features.ts without --run says what to pass", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/encoder_features.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.notEqual(out.code, 0);
  assert.match(new TextDecoder().decode(out.stderr), /TypeError: --run DIR is required/);
});

Deno.test("README: every TypeScript block is code of an examples/ program, verbatim", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const blocks = all(readme, /^```ts\n([\s\S]*?)^```$/).map((m) => m[1]);
  assert.ok(blocks.length >= 1, "the README shows the library in TypeScript");
  const sources: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}examples`)) {
    if (e.name.endsWith(".ts")) sources.push(await Deno.readTextFile(`${ROOT}examples/${e.name}`));
  }
  for (const block of blocks) {
    assert.ok(
      sources.some((s) => s.includes(block)),
      `README block not found in examples/ (copy it from there):\n${block}`,
    );
  }
});
