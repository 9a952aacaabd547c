import assert from "node:assert/strict";
import { formatProgress, progressBar } from "../../src/data/_progress_bar.ts";

Deno.test("formatProgress draws a bar, percent and megabytes", () => {
  assert.equal(formatProgress("a.gz", 5e6, 1e7), "a.gz [##########..........]  50%  5.0/10.0 MB");
  assert.equal(formatProgress("a.gz", 2.5e6, undefined), "a.gz 2.5 MB");
});

Deno.test("progressBar redraws one terminal line and ends it at the total", () => {
  const written: string[] = [];
  const out = {
    writeSync: (b: Uint8Array) => (written.push(new TextDecoder().decode(b)), b.length),
    isTerminal: () => true,
  };
  const bar = progressBar("f", out);
  bar(10, 100);
  bar(20, 100); // throttled
  bar(100, 100);
  bar(100, 100); // finished: silent
  assert.equal(written.length, 2);
  assert.match(written[0], /^\rf \[##\.+\] {2}10%/);
  assert.match(written[1], /^\rf \[#{20}\] 100%.*\n$/);
});
