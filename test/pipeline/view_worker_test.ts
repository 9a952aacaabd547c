import assert from "node:assert/strict";
import { createMapper, type ViewFailure } from "../../src/pipeline/view_worker.ts";
import { encodePng, pattern } from "../data/fixtures/png.ts";

Deno.test("view worker: data.maxPixels reaches the decoder; an image over it fails or is skipped per onError", async () => {
  const bytes = await encodePng({ width: 20, height: 10, colorType: 0, samples: pattern(200) });
  const sample = { key: "big.png", bytes, epoch: 0, index: 3, position: 3 };
  const base = {
    augment: { preset: "simclr-gray" as const, size: 8, seed: 1 },
    channels: 1 as const,
  };
  for (const decoder of ["imagescript", "sharp"] as const) {
    const fits = await createMapper({ ...base, decoder, maxPixels: 200 });
    assert.ok("view1" in await fits(sample));
    const fail = await createMapper({ ...base, decoder, maxPixels: 199 });
    await assert.rejects(fail(sample), /big\.png: 20x10 PNG has 200 pixels, over the limit of 199/);
    const skip = await createMapper({ ...base, decoder, maxPixels: 199, onError: "skip" });
    const failed = await skip(sample) as ViewFailure;
    assert.equal(failed.key, "big.png");
    assert.match(failed.failed, /over the limit of 199 \(data\.maxPixels\)/);
  }
});
