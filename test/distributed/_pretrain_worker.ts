/**
 * Run alone or under `mpirun -np N`: `pretrain()` on the pipeline tests' tiny IDX fixture.
 * Args: `<dataDir> <outDir> <runDir> <resume: 0|1> [override...]`. Prints
 * `PRETRAIN_DONE <rank> <size> <steps> <stopped>` on every rank; with `PRETRAIN_LOG=1` in the
 * environment, also rank 0's log lines, as `LOG <line>`.
 */
import { pretrain } from "../../src/pipeline/pretrain.ts";
import { fixtureConfig } from "../pipeline/_fixture.ts";

const [data, out, runDir, resume, ...overrides] = Deno.args;
console.log("PRETRAIN_STARTED");
const cfg = fixtureConfig(data, out, overrides);
const result = await pretrain(cfg, {
  runDir,
  resume: resume === "1",
  evaluate: false,
  progress: false,
  log: Deno.env.get("PRETRAIN_LOG") ? (line) => console.log(`LOG ${line}`) : () => {},
  checkWeightsEvery: 1,
});
const rank = Number(Deno.env.get("OMPI_COMM_WORLD_RANK") ?? Deno.env.get("PMI_RANK") ?? 0);
console.log(`PRETRAIN_DONE ${rank} ${result.ranks} ${result.steps} ${result.stopped}`);
