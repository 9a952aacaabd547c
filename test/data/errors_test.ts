import assert from "node:assert/strict";
import { DataError, SkipLog, type SkipReport } from "../../src/data/errors.ts";
import { formatSkipReport } from "../../src/data/_skip_report.ts";

Deno.test("DataError says where, what, and what to do", () => {
  const e = new DataError("a/b.idx", "bad magic", "is this an IDX file?");
  assert.equal(e.message, "a/b.idx: bad magic. is this an IDX file?");
  assert.equal(e.where, "a/b.idx");
});

Deno.test("SkipLog reports an epoch once every stage has left it", () => {
  const reports: SkipReport[] = [];
  const log = new SkipLog((r) => reports.push(r), 2);
  const reader = log.tracker(), decoder = log.tracker();
  reader.at(0);
  decoder.at(0);
  reader.record("r0", 0);
  reader.at(1); // the reader runs ahead; decoding still in epoch 0
  decoder.record("d0", 0);
  decoder.record("d0b", 0);
  assert.equal(reports.length, 0);
  decoder.at(1);
  assert.deepEqual(reports, [{ epoch: 0, count: 3, examples: ["r0", "d0"] }]);
  reader.done();
  decoder.done();
  assert.deepEqual(reports.map((r) => [r.epoch, r.count]), [[0, 3], [1, 0]]);
  assert.equal(log.total, 3);
  assert.equal(formatSkipReport(reports[0]), "epoch 0: skipped 3 bad samples (r0; d0; ...)");
});
