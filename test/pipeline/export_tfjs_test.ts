/**
 * `deno task export --format tfjs` end to end: the exported LayersModel, served from 127.0.0.1,
 * runs in a real headless Chromium page with TensorFlow.js's browser bundle from the npm package;
 * the page prepares PNG images from the model's own metadata (size, channels, mean, std), and its
 * features match the project's `extractFeatures` on the same images to 1e-4. The same files also
 * load with `tf.loadLayersModel` in Deno.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { startBackend } from "../../src/backend/start.ts";
import { createDecoder } from "../../src/data/decoders.ts";
import { imageFolder } from "../../src/data/image_folder.ts";
import { extractFeatures } from "../../src/eval/features.ts";
import { loadRunModel } from "../../src/pipeline/load_run.ts";
import { evalBatches, indexRange } from "../../src/pipeline/_eval_data.ts";
import { encodePng } from "../../src/report/_png.ts";
import { CHROMIUM_FLAGS, findChromium } from "../../src/report/_screenshot.ts";
import { type FixtureRun, writeFixtureRun } from "./_run_fixture.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TF_BUNDLE = `${ROOT}node_modules/@tensorflow/tfjs/dist/tf.min.js`;

/** The page: load each model, build inputs from its metadata, predict, post the features. */
const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/tf.min.js"></script>
</head><body><script>
async function main() {
  await tf.setBackend("cpu");
  const cases = await (await fetch("/cases.json")).json();
  const out = [];
  for (const c of cases) {
    const model = await tf.loadLayersModel(c.model);
    const { size, channels, mean, std } = model.getUserDefinedMetadata().simclr.input;
    const x = new Float32Array(c.images.length * size * size * channels);
    for (let i = 0; i < c.images.length; i++) {
      const blob = await (await fetch(c.images[i])).blob();
      const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
      const canvas = new OffscreenCanvas(size, size);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      const rgba = ctx.getImageData(0, 0, size, size).data;
      for (let p = 0; p < size * size; p++) {
        for (let ch = 0; ch < channels; ch++) {
          const m = mean[mean.length === 1 ? 0 : ch], s = std[std.length === 1 ? 0 : ch];
          x[(i * size * size + p) * channels + ch] = (rgba[4 * p + ch] / 255 - m) / s;
        }
      }
    }
    const y = model.predict(tf.tensor4d(x, [c.images.length, size, size, channels]));
    out.push({ shape: y.shape, features: Array.from(await y.data()) });
  }
  await fetch("/result", { method: "POST", body: JSON.stringify({ backend: tf.getBackend(), out }) });
}
main().catch((e) => fetch("/result", { method: "POST", body: JSON.stringify({ error: String(e && e.stack || e) }) }));
</script></body></html>`;

interface Case {
  run: FixtureRun;
  folder: string;
  images: string[];
}

/** An image folder of `n` random S x S PNGs (gray or RGB) for a run. */
async function pngFolder(n: number, size: number, channels: 1 | 3, seed: number) {
  const folder = await Deno.makeTempDir({ prefix: "tfjs-images-" });
  await Deno.mkdir(`${folder}/c`);
  const images: string[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    const px = Uint8Array.from({ length: size * size * channels }, () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s >>> 24;
    });
    const path = `${folder}/c/${i}.png`;
    await Deno.writeFile(path, encodePng(px, size, size, channels));
    images.push(path);
  }
  return { folder, images };
}

async function exportTfjs(runDir: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}src/cli/export.ts`, "--run", runDir, "--format", "tfjs"],
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /TensorFlow\.js LayersModel to .*model\.json/);
  return `${runDir}/tfjs`;
}

/** The project's features of the folder's images: `extractFeatures` over `evalBatches`. */
async function projectFeatures(c: Case): Promise<Float32Array> {
  const { model } = await loadRunModel(c.run.runDir, c.run.cfg);
  try {
    const ds = await imageFolder(c.folder);
    assert.deepEqual(ds.files, c.images);
    const set = await extractFeatures(
      (x) => model.encoder.apply(x, { training: false }),
      evalBatches(ds, {
        augment: c.run.cfg.augment,
        channels: c.run.cfg.model.inChannels,
        indices: indexRange(ds.length),
        decoder: await createDecoder("imagescript"),
      }),
    );
    return set.features;
  } finally {
    model.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("tfjs export: Deno and headless Chromium reproduce the encoder's features (1e-4)", async () => {
  await startBackend("wasm");
  // The default pipeline's kind (small net, 1 channel, IDX data) and a 3-channel ResNet-18 with
  // the max-pool stem and per-channel normalization.
  const gray = await writeFixtureRun();
  const rgb = await writeFixtureRun([
    "model.encoder=resnet18",
    "model.widthMultiplier=0.125",
    "model.stem=imagenet",
    "model.inChannels=3",
    "augment.preset=simclr-cifar",
    "augment.size=20",
  ], gray.dataDir);
  const cases: Case[] = [
    { run: gray, ...await pngFolder(5, 12, 1, 1) },
    { run: rgb, ...await pngFolder(4, 20, 3, 2) },
  ];
  const dirs: string[] = [];
  for (const c of cases) dirs.push(await exportTfjs(c.run.runDir));
  const meta = JSON.parse(await Deno.readTextFile(`${dirs[1]}/model.json`)).userDefinedMetadata;
  assert.deepEqual(meta.simclr.input.mean, [0.4914, 0.4822, 0.4465]);
  assert.equal(meta.simclr.input.size, 20);
  assert.equal(meta.simclr.input.layout, "NHWC");
  const want: Float32Array[] = [];
  for (const c of cases) want.push(await projectFeatures(c));

  let resolveResult!: (v: unknown) => void;
  const result = new Promise((r) => (resolveResult = r));
  const served = new Map<string, string>([["/tf.min.js", TF_BUNDLE]]);
  cases.forEach((c, i) => {
    for (const f of Deno.readDirSync(dirs[i])) {
      served.set(`/m${i}/${f.name}`, `${dirs[i]}/${f.name}`);
    }
    c.images.forEach((p, j) => served.set(`/img${i}/${j}.png`, p));
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "POST" && path === "/result") {
      resolveResult(await req.json());
      return new Response("ok");
    }
    if (path === "/page.html") {
      return new Response(PAGE, { headers: { "content-type": "text/html" } });
    }
    if (path === "/cases.json") {
      return Response.json(cases.map((c, i) => ({
        model: `/m${i}/model.json`,
        images: c.images.map((_, j) => `/img${i}/${j}.png`),
      })));
    }
    const file = served.get(path);
    if (!file) return new Response("not found", { status: 404 });
    const type = path.endsWith(".js")
      ? "text/javascript"
      : path.endsWith(".png")
      ? "image/png"
      : "application/octet-stream";
    return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // Deno: the same files through tf.loadLayersModel over HTTP, on the project's own inputs.
    for (const [i, c] of cases.entries()) {
      const model = await tf.loadLayersModel(`${base}/m${i}/model.json`);
      const ds = await imageFolder(c.folder);
      let got: Float32Array | undefined;
      for await (
        const b of evalBatches(ds, {
          augment: c.run.cfg.augment,
          channels: c.run.cfg.model.inChannels,
          indices: indexRange(ds.length),
          decoder: await createDecoder("imagescript"),
        })
      ) {
        const y = tf.tidy(() =>
          model.predict(
            tf.tensor4d(b.views, [b.count!, b.height, b.width, b.channels]),
          ) as tf.Tensor
        );
        got = await y.data() as Float32Array;
        y.dispose();
      }
      model.dispose();
      const d = maxAbsDiff(got!, want[i]);
      assert.ok(d < 1e-4, `Deno tf.loadLayersModel case ${i}: max |diff| ${d}`);
    }

    const chromium = findChromium();
    if (!chromium) {
      console.log(
        "SKIPPED the Chromium check: chromium not found (Debian: apt-get install chromium)",
      );
      return;
    }
    const profile = await Deno.makeTempDir({ prefix: "tfjs-chromium-" });
    const child = new Deno.Command(chromium, {
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `${base}/page.html`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const errText = (async () => {
      for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk);
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`no result from Chromium in 120 s; its stderr:\n${stderr.slice(-2000)}`),
          ),
        120_000,
      );
    });
    let page: { error?: string; backend?: string; out?: { shape: number[]; features: number[] }[] };
    try {
      page = await Promise.race([result, timeout]) as typeof page;
    } finally {
      clearTimeout(timer);
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      await errText;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
    assert.equal(page.error, undefined, String(page.error));
    assert.equal(page.backend, "cpu");
    for (const [i, c] of cases.entries()) {
      const dim: number = want[i].length / c.images.length;
      assert.deepEqual(page.out![i].shape, [c.images.length, dim]);
      const d = maxAbsDiff(page.out![i].features, want[i]);
      console.log(
        `Chromium case ${i}: ${c.images.length} images x ${dim} features, max |diff| ${
          d.toExponential(2)
        }`,
      );
      assert.ok(d < 1e-4, `Chromium case ${i}: max |diff| ${d}`);
    }
  } finally {
    await server.shutdown();
  }
});
