import assert from "node:assert/strict";
import { dataSchema } from "../../src/config/pipeline.ts";
import { parseConfig } from "../../src/config/_parse.ts";
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS } from "../../src/data/limits.ts";

Deno.test("data.maxPixels and data.maxFileBytes default to the data layer's limits; --set changes them", () => {
  const d = parseConfig(dataSchema, "dataset: cifar10\n");
  assert.equal(d.maxPixels, DEFAULT_MAX_PIXELS);
  assert.equal(d.maxFileBytes, DEFAULT_MAX_FILE_BYTES);
  const set = parseConfig(dataSchema, "dataset: cifar10\n", {
    overrides: ["maxPixels=100000000", "maxFileBytes=4294967296"],
  });
  assert.deepEqual([set.maxPixels, set.maxFileBytes], [100_000_000, 2 ** 32]);
  assert.throws(() => parseConfig(dataSchema, "maxPixels: 0\n"), /maxPixels/);
});
