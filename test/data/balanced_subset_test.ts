import assert from "node:assert/strict";
import { balancedSubset } from "../../src/data/_balanced_subset.ts";

Deno.test("balancedSubset: every class gets floor(n/K) or one more, seeded, ascending, no repeats", () => {
  // Sorted by class, as an image folder lists its files: 50 of class 0, 30 of 1, 20 of 2.
  const labels = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(20).fill(2)];
  const pick = balancedSubset(labels, 30, 4);
  assert.equal(pick.length, 30);
  assert.equal(new Set(pick).size, 30);
  assert.deepEqual([...pick], [...pick].sort((a, b) => a - b));
  const per = [0, 0, 0];
  for (const i of pick) per[labels[i]]++;
  assert.deepEqual(per, [10, 10, 10]); // the first 30 in path order would be class 0 only
  assert.deepEqual(balancedSubset(labels, 30, 4), pick, "same seed, same sample");
  assert.notDeepEqual(balancedSubset(labels, 30, 5), pick, "another seed, another sample");
  // A small class gives all it has; the others share the rest: 5 + 20 + 20 = 45 of 45.
  const uneven = [...Array(40).fill(0), ...Array(5).fill(1), ...Array(40).fill(2)];
  const u = balancedSubset(uneven, 45, 1);
  const cu = [0, 0, 0];
  for (const i of u) cu[uneven[i]]++;
  assert.deepEqual(cu, [20, 5, 20]);
  // Unlabelled samples are one more group; n >= length is everything in order.
  const withNone = [undefined, 0, 0, undefined, 1, 1];
  const w = balancedSubset(withNone, 3, 0);
  assert.deepEqual([...w].map((i) => withNone[i] ?? -1).sort(), [-1, 0, 1]);
  assert.deepEqual([...balancedSubset(labels, 500, 0)], labels.map((_, i) => i));
  assert.throws(() => balancedSubset(labels, -1, 0), /n must be an integer >= 0/);
});
