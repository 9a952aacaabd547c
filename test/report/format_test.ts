import assert from "node:assert/strict";
import { formatDuration } from "../../src/report/_format.ts";

Deno.test("formatDuration: seconds, minutes and seconds, hours and minutes; -- when unknown", () => {
  assert.deepEqual(
    [5, 59.4, 185, 3599, 3720, 90000].map(formatDuration),
    ["5s", "59s", "3m05s", "59m59s", "1h02m", "25h00m"],
  );
  assert.deepEqual([undefined, NaN, Infinity, -1].map(formatDuration), ["--", "--", "--", "--"]);
});
