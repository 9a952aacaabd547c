/**
 * The after-pretraining commands end to end as a user runs them: `embed` on a photo folder,
 * `neighbors --key` and `--query` (printed ranking and the HTML page, rendered in headless
 * Chromium), `export --format tfjs` and `--help` of each.
 */
import assert from "node:assert/strict";
import { Image } from "imagescript";
import { renderInChromium } from "../../src/report/_screenshot.ts";
import { writePhotoFolder } from "../pipeline/_photos.ts";
import { writeFixtureRun } from "../pipeline/_run_fixture.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function cli(
  name: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}src/cli/${name}.ts`, ...args],
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("embed, neighbors and export: --help and argument errors", async () => {
  for (
    const [name, flag] of [["embed", "--data PATH_OR_DATASET"], ["neighbors", "--key KEY"], [
      "export",
      "--format FORMAT",
    ]]
  ) {
    const r = await cli(name, ["--help"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes(flag), r.out);
  }
  const bad = await cli("neighbors", ["--embeddings", "x.npy"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /exactly one of --query IMAGE and --key KEY/);
  const noRun = await cli("embed", ["--data", "x"]);
  assert.equal(noRun.code, 2);
  assert.match(noRun.err, /--run RUN_DIR is required/);
});

Deno.test("embed a photo folder, then neighbours by key and by image, with the page", async () => {
  const { runDir } = await writeFixtureRun([
    "model.encoder=resnet18",
    "model.widthMultiplier=0.125",
    "model.inChannels=3",
    "augment.preset=simclr-cifar",
    "augment.size=16",
    "data.workers=1",
  ]);
  const folder = await writePhotoFolder();
  const out = `${await Deno.makeTempDir({ prefix: "embed-cli-" })}/photos.npy`;
  const e = await cli("embed", [
    "--run",
    runDir,
    "--data",
    folder.root,
    "--out",
    out,
    "--on-error",
    "skip",
  ]);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /embedded 5 images \(64 features\) in .* images\/s; skipped 1/);
  assert.match(e.err, /skipped: .*broken\.jpg/);
  assert.match(e.err, /embed \[=+\] images 6\/6/);

  const target = folder.good[0].path;
  const byKey = await cli("neighbors", ["--embeddings", out, "--key", target, "-k", "3"]);
  assert.equal(byKey.code, 0, byKey.err);
  const lines = byKey.out.split("\n").filter((l) => /^\s+\d+\s+-?\d\.\d{4}\s/.test(l));
  assert.equal(lines.length, 3, byKey.out);
  assert.ok(!byKey.out.includes(`1.0000  ${target}`)); // the query's own row is left out
  const page = out.replace(/\.npy$/, ".neighbors.html");
  const html = await Deno.readTextFile(page);
  assert.doesNotMatch(html, /<script|<link|src="http/i);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 4);

  const byImage = await cli("neighbors", [
    "--embeddings",
    out,
    "--query",
    target,
    "-k",
    "2",
    "--html",
    `${page}.2.html`,
  ]);
  assert.equal(byImage.code, 0, byImage.err);
  assert.match(byImage.out, new RegExp(`\\n\\s+1\\s+1\\.0000\\s+${target.replace(/[.]/g, "\\.")}`));

  const png = `${page}.png`;
  const shot = await renderInChromium(page, png, { width: 900, height: 700 });
  if (!shot.ok) {
    console.log(`SKIPPED the Chromium check: ${shot.reason}`);
  } else {
    const img = await Image.decode(await Deno.readFile(png));
    const colours = new Set<number>();
    for (let y = 1; y <= img.height; y += 5) {
      for (let x = 1; x <= img.width; x += 5) colours.add(img.getPixelAt(x, y));
    }
    assert.ok(colours.size > 50, `only ${colours.size} colours: the thumbnails did not render`);
  }

  const x = await cli("export", ["--run", runDir, "--format", "tfjs", "--out", `${runDir}/web`]);
  assert.equal(x.code, 0, x.err);
  assert.match(x.out, /input \[batch, 16, 16, 3\] NHWC/);
  await Deno.stat(`${runDir}/web/model.json`);
});
