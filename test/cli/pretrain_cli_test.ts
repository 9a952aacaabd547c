import assert from "node:assert/strict";
import { configToYaml } from "../../src/config/load.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";
import { fixtureConfig, writeFixtureDataset } from "../pipeline/_fixture.ts";
import { writeFixtureRun } from "../pipeline/_run_fixture.ts";

const cli = new URL("../../src/cli/pretrain.ts", import.meta.url).pathname;

for (
  const [signal, code, said] of [
    ["SIGINT", 130, "Ctrl-C"], // Ctrl-C
    ["SIGTERM", 143, "SIGTERM"], // what timeout, docker, Slurm, Kubernetes and systemd send
  ] as const
) {
  Deno.test(`pretrain CLI: ${said} stops after a checkpoint, --resume finishes the run`, async () => {
    const data = await writeFixtureDataset(96, 32);
    const out = await Deno.makeTempDir({ prefix: "simclr-cli-" });
    // Many epochs, so the run is still training when the signal arrives.
    const config = `${out}/fixture.yaml`;
    await Deno.writeTextFile(config, configToYaml(fixtureConfig(data, out, ["optim.epochs=50"])));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "--config", config, "--set", `run.outDir=${out}`],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const decoder = new TextDecoder();
    let stderr = "";
    const reader = child.stderr.getReader();
    const deadline = setTimeout(() => child.kill("SIGKILL"), 120_000);
    // Wait for the first progress line, then interrupt.
    while (!/step \d+\/\d+/.test(stderr)) {
      const r = await reader.read();
      if (r.done) break;
      stderr += decoder.decode(r.value);
    }
    child.kill(signal);
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      stderr += decoder.decode(r.value);
    }
    const status = await child.status;
    await child.stdout.cancel();
    clearTimeout(deadline);
    assert.equal(status.code, code, stderr);
    assert.match(stderr, new RegExp(`${said}: stopping after this step`));
    const m = stderr.match(/resume with: deno task pretrain --resume (\S+)/);
    assert.ok(m, stderr);
    const dir = m[1];
    assert.ok(dir.startsWith(out));
    await Deno.stat(runFiles(dir).checkpoint); // written on the way out
    const stoppedAt = Number(stderr.match(/stopped at step (\d+)/)?.[1]);
    assert.ok(stoppedAt >= 1 && stoppedAt < 300, stderr);

    // Resume, capped a few steps further on.
    const resumed = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "--resume", dir, "--set", `train.maxSteps=${stoppedAt + 3}`],
      env: { NO_COLOR: "1" },
    }).output();
    const text = decoder.decode(resumed.stderr);
    assert.equal(resumed.code, 0, text);
    assert.match(text, new RegExp(`resumed from .* at step ${stoppedAt}\\b`));
    assert.match(decoder.decode(resumed.stdout), /report: .*report\.html/);
  });
}

Deno.test("pretrain CLI: --help, and a bad --set names the key and the allowed values", async () => {
  const help = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", cli, "--help"] })
    .output();
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /--resume RUN_DIR/);
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--set", "model.encoder=resnet19"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(bad.code, 1);
  const err = new TextDecoder().decode(bad.stderr);
  assert.match(err, /--set model\.encoder=resnet19/);
  assert.match(err, /resnet18/);
});

Deno.test("pretrain CLI: --resume refuses --config, and a --set that changes what is trained", async () => {
  const { runDir } = await writeFixtureRun();
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "--resume", runDir, ...args],
      env: { NO_COLOR: "1" },
    }).output();
  const [config, epochs] = await Promise.all([
    run(["--config", `${runDir}/config.yaml`]),
    run(["--set", "optim.epochs=25"]),
  ]);
  const said = (o: Deno.CommandOutput) => new TextDecoder().decode(o.stderr);
  assert.equal(config.code, 2, said(config));
  assert.match(said(config), /--config cannot be used with it/);
  assert.equal(epochs.code, 1, said(epochs));
  assert.match(
    said(epochs),
    /cannot resume .* with optim\.epochs 2 -> 25: it changes what is trained/,
  );
});

Deno.test("pretrain CLI: after kill -9 and --resume, metrics.jsonl holds each step once, in order", async () => {
  const data = await writeFixtureDataset(96, 32);
  const out = await Deno.makeTempDir({ prefix: "simclr-cli-" });
  const config = `${out}/fixture.yaml`;
  await Deno.writeTextFile(
    config,
    configToYaml(fixtureConfig(data, out, ["optim.epochs=50", "train.checkpointEvery=3 steps"])),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--config", config, "--set", `run.outDir=${out}`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 120_000;
  let dir = "", rows = 0;
  // killed once the checkpoint of step 3 exists and rows for at least 2 later steps were written
  while (Date.now() < deadline) {
    dir = [...Deno.readDirSync(out)].find((e) => e.isDirectory)?.name ?? "";
    const files = runFiles(`${out}/${dir}`);
    const text = dir ? await Deno.readTextFile(files.metrics).catch(() => "") : "";
    rows = text.split("\n").filter(Boolean).length;
    if (
      rows >= 5 && await Deno.stat(`${out}/${dir}/checkpoint-step000003.safetensors`).catch(() => 0)
    ) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await child.status;
  const files = runFiles(`${out}/${dir}`);
  const before = (await Deno.readTextFile(files.metrics)).split("\n").filter(Boolean);
  assert.ok(before.length >= 5, `only ${before.length} rows before the kill`);
  const resumed = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      cli,
      "--resume",
      `${out}/${dir}`,
      "--set",
      `train.maxSteps=${before.length + 3}`,
    ],
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(resumed.stderr);
  assert.equal(resumed.code, 0, text);
  const at = Number(text.match(/resumed from .* at step (\d+)/)?.[1]);
  assert.ok(at >= 3 && at < before.length, text);
  const after = (await Deno.readTextFile(files.metrics)).split("\n").filter(Boolean);
  const steps = after.map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, Array.from({ length: before.length + 3 }, (_, i) => i + 1));
  assert.deepEqual(after.slice(0, at), before.slice(0, at), "rows up to the checkpoint are kept");
  await Deno.remove(out, { recursive: true });
  await Deno.remove(data, { recursive: true });
});
