/**
 * The checkpoint's data position: the ranks' reading positions per micro-batch, kept until no
 * checkpoint can ask for them, and the resume point a stored position gives each rank (exact, or
 * refused where another number of ranks cannot continue the epoch).
 */
import assert from "node:assert/strict";
import { ReadPositions, resumePosition } from "../../src/pipeline/_data_position.ts";

Deno.test("ReadPositions: the positions of the checkpointed micro-batch; none where a rank had none", () => {
  const read = new ReadPositions();
  const state = (microStep: number) => ({ step: microStep + 1, images: 0, microStep, epoch: 2 });
  read.record(0, [8, 8], -1);
  read.record(1, [17, 16], -1);
  assert.deepEqual(read.of(state(1)), { epoch: 2, nextMicroStep: 2, positions: [17, 16] });
  assert.deepEqual(read.of(state(0)), { epoch: 2, nextMicroStep: 1, positions: [8, 8] });
  read.record(2, [25, 24], 1); // micro-batch 1 applied: 0 can no longer be checkpointed
  assert.deepEqual(read.of(state(0)), { epoch: 2, nextMicroStep: 1 });
  assert.deepEqual(read.of(state(2)).positions, [25, 24]);
  read.record(3, [33, -1], 2); // rank 1's batch carried no position
  assert.deepEqual(read.of(state(3)), { epoch: 2, nextMicroStep: 4 });
});

Deno.test("resumePosition: an epoch's start, this rank's stored position, j * B without positions", () => {
  const o = {
    checkpoint: "ck",
    nextMicroStep: 8,
    microStepsPerEpoch: 6,
    microBatch: 8,
    rank: 1,
    worldSize: 2,
    shards: false,
  };
  const at = { epoch: 1, nextMicroStep: 8, positions: [17, 19] };
  assert.equal(resumePosition(at, o), 19);
  assert.equal(resumePosition(at, { ...o, rank: 0 }), 17);
  assert.equal(resumePosition({ epoch: 1, nextMicroStep: 8 }, o), 16); // an older checkpoint
  assert.equal(resumePosition(undefined, o), 16);
  assert.equal(resumePosition({ ...at, nextMicroStep: 12 }, { ...o, nextMicroStep: 12 }), 0);
  // another rank count: exact where no rank skipped (j * B each), refused otherwise
  const plain = { epoch: 1, nextMicroStep: 8, positions: [16, 16] };
  assert.equal(resumePosition(plain, { ...o, rank: 0, worldSize: 1, microBatch: 16 }), 32);
  assert.equal(resumePosition(plain, { ...o, rank: 3, worldSize: 4, microBatch: 4 }), 8);
  assert.throws(
    () => resumePosition(at, { ...o, rank: 0, worldSize: 1, microBatch: 16 }),
    /^Error: cannot resume ck on 1 rank: it was written by 2 ranks inside epoch 2 \(after 2 of its 6 micro-batches\), and samples were skipped \(data\.onError: skip\) in that epoch before it: each rank continues the epoch from its own position \(17, 19; 16 each without skips\), which 1 rank cannot take over exactly; resume on 2 ranks, as the run was stopped, or from an earlier checkpoint/,
  );
  assert.throws(
    () => resumePosition(plain, { ...o, rank: 0, worldSize: 1, microBatch: 16, shards: true }),
    /cannot resume ck on 1 rank: .*tar shards are split among the ranks by shard, so 1 rank read that epoch in another order; resume on 2 ranks/,
  );
  // a position that cannot be (behind j * B, or for another micro-batch) is refused
  for (const bad of [{ ...at, positions: [15, 19] }, { ...at, nextMicroStep: 7 }]) {
    assert.throws(
      () => resumePosition(bad, o),
      /^Error: checkpoint ck: its data position .* does not fit/,
    );
  }
});
