/**
 * Run under `mpirun -np 2`: steps until the ranks agree to stop (after a stop signal), then
 * rank 0 writes a "checkpoint" (the file named by the first argument) and all ranks close.
 * Prints `STEP s` on each step (rank 0) and `STOPPED rank s` at the end.
 */
import { createCommunicator } from "../../src/distributed/mod.ts";

const checkpoint = Deno.args[0];
const comm = await createCommunicator("auto");
const buf = new Float32Array(4096);
for (let step = 0; step < 100_000; step++) {
  comm.step = step;
  await new Promise((r) => setTimeout(r, 40)); // the "training step"
  await comm.allReduce(buf.fill(1), "mean");
  if (comm.rank === 0) console.log(`STEP ${step}`);
  if (await comm.agreeToStop()) {
    if (comm.rank === 0) await Deno.writeTextFile(checkpoint, `step ${step}\n`);
    console.log(`STOPPED ${comm.rank} ${step}`);
    break;
  }
}
await comm.close();
