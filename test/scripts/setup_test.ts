import assert from "node:assert/strict";

const SETUP = new URL("../../scripts/setup.ts", import.meta.url).pathname;

/** Runs the set-up with a fake `dpkg-query` that lists `installed` as installed. */
async function setupWith(installed: string[], what: string, env: Record<string, string> = {}) {
  const bin = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${bin}/dpkg-query`,
    `#!/bin/sh\n${installed.map((p) => `echo "${p} install ok installed"`).join("\n")}\n` +
      `echo "chromium deinstall ok config-files"\n`,
  );
  await Deno.chmod(`${bin}/dpkg-query`, 0o755);
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SETUP, what],
    env: { PATH: `${bin}:${Deno.env.get("PATH")}`, NO_COLOR: "1", ...env },
  }).output();
  return { code: r.code, err: new TextDecoder().decode(r.stderr) };
}

Deno.test("setup: without the right to install, names what is missing and what still works", async () => {
  const r = await setupWith(["libdnnl2"], "pretrain", { SIMCLR_SETUP: "report" });
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /missing Debian packages/);
  assert.match(r.err, /dataset-fashion-mnist: .*downloaded into the cache instead/);
  assert.match(r.err, /libopenblas0-pthread: .*falls back to the wasm backend/);
  assert.doesNotMatch(r.err, /libdnnl2:/); // installed
  assert.match(r.err, /sudo apt-get install -y dataset-fashion-mnist libopenblas0-pthread/);
  const t = await setupWith([], "test", { SIMCLR_SETUP: "report" });
  assert.match(t.err, /chromium: .*checks are skipped/); // "deinstall" is not installed
});

Deno.test("setup: silent when everything is there; SIMCLR_SETUP=0 skips; unknown target", async () => {
  const all = [
    "dataset-fashion-mnist",
    "libdnnl2",
    "libopenblas0-pthread",
    "mesa-vulkan-drivers",
    "openmpi-bin",
    "libopenmpi-dev",
    "iproute2",
    "util-linux",
    "chromium",
    "python3-torchvision",
  ];
  const r = await setupWith(all, "test");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err.trim(), "");
  const skipped = await setupWith([], "test", { SIMCLR_SETUP: "0" });
  assert.equal(skipped.err.trim(), "");
  const bad = await setupWith(all, "train");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /pretrain\|test\|all/);
});
