import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { writeFixtureRun } from "../pipeline/_run_fixture.ts";

const cli = new URL("../../src/cli/finetune.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

Deno.test("finetune CLI: --labels N fine-tunes and prints the comparison; --help; --run is required", async () => {
  await startBackend("wasm");
  const { runDir, dataDir } = await writeFixtureRun();
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        cli,
        "--run",
        runDir,
        "--labels",
        "8",
        "--out",
        `${runDir}/ft`,
        "--set",
        "finetune.epochs=1",
        "--set",
        "finetune.batchSize=4",
      ],
      env: { NO_COLOR: "1" },
    }).output();
    const [out, err] = [decoder.decode(r.stdout), decoder.decode(r.stderr)];
    assert.equal(r.code, 0, err);
    assert.match(out, /^8 labels \(8\), test top-1 \/ top-5 on 24 images:$/m);
    for (const row of ["pretrained encoder", "random-init encoder", "linear probe, same labels"]) {
      assert.match(out, new RegExp(`^  .*${row} +\\d+\\.\\d\\d% / \\d+\\.\\d\\d%$`, "m"));
    }
    assert.match(out, new RegExp(`report: ${runDir}/ft/report\\.html`));
    assert.match(err, /fine-tuning on 8 labels \(8 of 40 in train, seed 3\)/);
  } finally {
    await Deno.remove(runDir, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
  const help = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", cli, "--help"] })
    .output();
  assert.equal(help.code, 0);
  assert.match(decoder.decode(help.stdout), /--labels SHARE_OR_COUNT/);
  const none = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--labels", "1%"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(none.code, 2);
  assert.match(decoder.decode(none.stderr), /--run RUN_DIR is required/);
});
