/**
 * Run alone (1 rank) or under `mpirun -np N`: a few LARS steps of the tiny benchmark net on
 * 8x8 views through the real trainer (forward/backward with the distributed hooks: gathered
 * NT-Xent candidates and global BN; the fused gradient all-reduce stage; the optimizer step),
 * each rank taking its blocked part of the epoch permutation. Views are keyed by the GLOBAL
 * sample index. Rank 0 writes, per step, the logged (global mean) loss and every parameter
 * and buffer to the JSON file given as the first argument.
 *
 * Args: `<out.json> <globalPairs> <steps> [localBn|diverge]` (`diverge`: rank 1 nudges a weight
 * after step 2, which the weights check must catch).
 */
import * as tf from "@tensorflow/tfjs";
import { createCommunicator } from "../../src/distributed/mod.ts";
import { epochShard } from "../streams/fixtures/blocked_split.ts";
import { createModel } from "../../src/model/simclr_model.ts";
import { epochPermutation } from "../../src/streams/_epoch_split.ts";
import type { Batch } from "../../src/train/batch.ts";
import {
  allReduceGradientsStage,
  assertSameWeights,
  distTrainingHooks,
} from "../../src/train/dist_hooks.ts";
import { Lars } from "../../src/train/lars.ts";
import { initialTrainState } from "../../src/train/train_state.ts";
import { trainer } from "../../src/train/trainer.ts";

const [out, globalPairsArg, stepsArg, bnArg] = Deno.args;
const globalPairs = Number(globalPairsArg), steps = Number(stepsArg);
await tf.setBackend("cpu");
const comm = await createCommunicator("auto");
try {
  const { rank, size } = comm;
  const local = globalPairs / size;
  const side = 8, ch = 3, samples = globalPairs * steps + 3; // a few left over: dropped
  const model = createModel({
    encoder: "small",
    smallWidths: { stem: 4, stages: [4, 8, 8] },
    head: { layers: 2, hiddenDim: 8, outDim: 6 },
    seed: 11,
  });
  const state = initialTrainState();
  const record: { loss: number[]; accuracy: number[]; weights: number[][] } = {
    loss: [],
    accuracy: [],
    weights: [],
  };
  const snapshot = () => {
    const all = model.store.all().slice().sort((a, b) => (a.name < b.name ? -1 : 1));
    return all.flatMap((p) => Array.from(p.variable.dataSync()));
  };
  record.weights.push(snapshot());
  const sink = trainer({
    model,
    optimizer: new Lars({ momentum: 0.9, weightDecay: 1e-4 }),
    learningRate: (s) => 0.5 * (s + 1) / steps, // warm-up-like ramp
    temperature: 0.2,
    hooks: distTrainingHooks(comm, { globalBn: bnArg !== "localBn" }),
    stages: [allReduceGradientsStage(comm)],
    state,
    logEvery: 1,
    onMetrics: (m) => {
      record.loss.push(m.loss);
      record.accuracy.push(m.accuracy);
      record.weights.push(snapshot());
    },
  });
  // one pseudo-random pixel value per (global sample index, view, offset)
  const pixel = (index: number, view: number, i: number) =>
    Math.sin(index * 1.618 + view * 7.31 + i * 0.377) + 0.3 * Math.sin(i * 0.05 * (index % 5));
  const perm = epochPermutation(samples, 5, 0);
  const mine = epochShard(perm, rank, size, local);
  const writer = sink.getWriter();
  const per = side * side * ch;
  for (let step = 0; step < steps; step++) {
    const indices = mine.slice(step * local, (step + 1) * local);
    const views = new Float32Array(2 * local * per);
    for (let v = 0; v < 2; v++) {
      for (let j = 0; j < local; j++) {
        const o = (v * local + j) * per;
        for (let i = 0; i < per; i++) views[o + i] = pixel(indices[j], v, i);
      }
    }
    const batch: Batch = {
      microStep: step,
      epoch: 0,
      size: local,
      height: side,
      width: side,
      channels: ch,
      views,
      keys: Array.from(indices, String),
      indices,
    };
    await writer.write(batch);
    while (state.microStep < step) await new Promise((r) => setTimeout(r, 1));
    // with local BN the running statistics are per rank: compare the trainable weights only
    const checked = bnArg === "localBn" ? model.store.trainable() : model.store.all();
    if (bnArg === "diverge" && rank === 1 && step === 1) {
      const p = model.store.trainable()[0]; // a silent fault on rank 1 only
      p.variable.assign(tf.add(p.variable, 1e-7));
    }
    await assertSameWeights(comm, checked, state.step);
  }
  await writer.close();
  if (rank === 0) await Deno.writeTextFile(out, JSON.stringify(record));
  console.log(`EQUIV_DONE ${rank} ${size}`);
  model.dispose();
  await comm.close();
} catch (err) {
  await comm.abort(err);
}
