import assert from "node:assert/strict";
import { Image } from "imagescript";
import { renderReport } from "../../src/report/mod.ts";
import { niceTicks } from "../../src/report/_chart.ts";
import { crc32, denormalizeView, encodePng, pngDataUrl } from "../../src/report/_png.ts";
import { renderInChromium } from "../../src/report/_screenshot.ts";
import { sampleReport } from "./sample.ts";

/**
 * Where the screenshot of the sample report is left for people to look at (a fresh folder per
 * run, so two test runs at once do not remove each other's screenshot).
 */
const OUT_DIR = await Deno.makeTempDir({ prefix: "simclr-report-test-" });

Deno.test("PNG encoder: decodes back to the same pixels (imagescript), CRC-32 of a known string", async () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const w = 5, h = 3;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
  const img = await Image.decode(encodePng(rgb, w, h, 3));
  assert.deepEqual([img.width, img.height], [w, h]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b, a] = Image.colorToRGBA(img.getPixelAt(x + 1, y + 1));
      const o = (y * w + x) * 3;
      assert.deepEqual([r, g, b, a], [rgb[o], rgb[o + 1], rgb[o + 2], 255]);
    }
  }
  const gray = Uint8Array.of(0, 128, 255, 7);
  const g = await Image.decode(encodePng(gray, 2, 2, 1));
  assert.deepEqual(Image.colorToRGBA(g.getPixelAt(2, 1)), [128, 128, 128, 255]);
  assert.match(pngDataUrl(gray, 2, 2, 1), /^data:image\/png;base64,iVBORw0KGgo/);
  assert.deepEqual([...denormalizeView(Float32Array.of(-1, 0, 1, 5), 1, [0.5], [0.5])], [
    0,
    128,
    255,
    255,
  ]);
});

Deno.test("axis ticks are round and cover the range", () => {
  assert.deepEqual(niceTicks(0, 0.93, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3.71, 6.3, 5), [3, 4, 5, 6, 7]);
  assert.deepEqual(niceTicks(3.71, 6.3, 8), [3.5, 4, 4.5, 5, 5.5, 6, 6.5]);
  assert.deepEqual(niceTicks(1, 120, 6), [0, 20, 40, 60, 80, 100, 120]);
});

Deno.test("the report is one self-contained page with every section", () => {
  const html = renderReport(sampleReport());
  assert.match(html, /^<!DOCTYPE html>/);
  // Nothing is fetched: no scripts, external stylesheets, fonts or remote images.
  assert.doesNotMatch(html, /<script|<link|@import|url\(|src="http|href="http/i);
  assert.equal((html.match(/<svg /g) ?? []).length, 7);
  for (
    const t of [
      "NT-Xent loss",
      "Contrastive accuracy",
      "Learning rate",
      "Throughput",
      "Waiting for data",
      "Online linear classifier: top-1",
      "Online linear classifier: loss",
    ]
  ) {
    assert.ok(html.includes(`<h3>${t}</h3>`), t);
  }
  assert.match(html, /Random init \(floor\)/);
  assert.match(html, /<td class="num">83\.1%/); // kNN top-1 pretrained
  assert.match(html, /\+9\.0 pts/); // 83.12 - 74.08
  assert.match(html, /<b>Online linear top-1<\/b>.*?<td class="num">84\.1%/s);
  assert.match(html, /<h2>Fine-tuning with 1% of the labels<\/h2>/);
  assert.match(html, /fine-tuned, random-init encoder<\/b><\/td><td class="num">68\.3%.*?97\.3%/s);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 16);
  assert.match(html, /fashion-mnist\/train\[131\]/);
  assert.match(html, /preset: simclr-gray/); // the config as YAML
  assert.match(html, /epoch 1<\/text>/); // epoch markers
});

Deno.test("a report with no metrics or evaluation still renders", () => {
  const html = renderReport({ metrics: [] });
  assert.match(html, /not recorded/);
  assert.doesNotMatch(html, /Random init/);
  assert.doesNotMatch(html, /Online linear/);
});

Deno.test("a supervised run's curves are named for cross-entropy and top-1", () => {
  const metrics = sampleReport().metrics.map(({ onlineLoss: _l, onlineTop1: _t, ...m }) => m);
  const html = renderReport({ metrics, objective: "supervised" });
  for (const t of ["Cross-entropy loss", "Training top-1"]) {
    assert.ok(html.includes(`<h3>${t}</h3>`));
  }
  assert.doesNotMatch(html, /NT-Xent|Contrastive accuracy|Online linear/);
  assert.equal((html.match(/<svg /g) ?? []).length, 5);
});

Deno.test("the report renders in headless Chromium (screenshot)", async () => {
  const page = `${OUT_DIR}/report.html`;
  const png = `${OUT_DIR}/report.png`;
  await Deno.remove(png).catch(() => {});
  await Deno.writeTextFile(page, renderReport(sampleReport()));
  const r = await renderInChromium(page, png, { width: 1200, height: 2000 });
  if (!r.ok) {
    console.log(`SKIPPED the Chromium check: ${r.reason}`);
    return;
  }
  console.log(`screenshot: ${r.png} (${r.bytes} bytes)`);
  assert.ok(r.bytes > 30_000, `screenshot only ${r.bytes} bytes`);
  const shot = await Image.decode(await Deno.readFile(png));
  assert.deepEqual([shot.width, shot.height], [1200, 2000]);
  const colours = new Set<number>();
  for (let y = 1; y <= shot.height; y += 7) {
    for (let x = 1; x <= shot.width; x += 7) colours.add(shot.getPixelAt(x, y));
  }
  assert.ok(colours.size > 100, `only ${colours.size} distinct colours`);
});
