/** Test helper: comparing two pretraining run directories (losses per step, final weights). */
import assert from "node:assert/strict";
import { decodeSafetensors } from "../../src/model/safetensors.ts";
import { runFiles } from "../../src/pipeline/run_dir.ts";

/** Loss per step, from the run's metrics. */
export async function losses(runDir: string): Promise<Map<number, number>> {
  const lines = (await Deno.readTextFile(runFiles(runDir).metrics)).trim().split("\n");
  return new Map(lines.map((l) => JSON.parse(l)).map((m) => [m.step, m.loss]));
}

/** The online classifier's loss per step, from the run's metrics (steps that logged it). */
export async function onlineLosses(runDir: string): Promise<Map<number, number>> {
  const lines = (await Deno.readTextFile(runFiles(runDir).metrics)).trim().split("\n");
  const records = lines.map((l) => JSON.parse(l)).filter((m) => m.onlineLoss !== undefined);
  return new Map(records.map((m) => [m.step, m.onlineLoss]));
}

/** The model's (and the online classifier's) float weights in the run's checkpoint. */
export async function weights(runDir: string): Promise<Map<string, Float32Array>> {
  const file = decodeSafetensors(await Deno.readFile(runFiles(runDir).checkpoint), runDir);
  const m = new Map<string, Float32Array>();
  for (const [name, t] of file.tensors) {
    const weight = name.startsWith("model/") || name.startsWith("online/");
    if (weight && t.data instanceof Float32Array) m.set(name, t.data);
  }
  return m;
}

/**
 * Largest relative difference of the losses per step (NT-Xent's and the online classifier's)
 * and of all weights (max-norm).
 */
export async function compare(a: string, b: string): Promise<{ loss: number; weights: number }> {
  const [la, lb] = [await losses(a), await losses(b)];
  assert.deepEqual([...lb.keys()], [...la.keys()]);
  let loss = 0;
  for (const [s, v] of la) loss = Math.max(loss, Math.abs(lb.get(s)! - v) / Math.abs(v));
  const [oa, ob] = [await onlineLosses(a), await onlineLosses(b)];
  assert.deepEqual([...ob.keys()], [...oa.keys()]);
  for (const [s, v] of oa) loss = Math.max(loss, Math.abs(ob.get(s)! - v) / Math.abs(v));
  const [wa, wb] = [await weights(a), await weights(b)];
  assert.deepEqual([...wb.keys()].sort(), [...wa.keys()].sort());
  let num = 0, den = 0;
  for (const [name, x] of wa) {
    const y = wb.get(name)!;
    for (let i = 0; i < x.length; i++) {
      num = Math.max(num, Math.abs(x[i] - y[i]));
      den = Math.max(den, Math.abs(x[i]));
    }
  }
  return { loss, weights: num / den };
}
