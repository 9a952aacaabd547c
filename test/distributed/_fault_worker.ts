/**
 * Run under `mpirun -np N`: steps of small all-reduces; rank F fails at step K.
 * Args: MODE K [sync|async] [F], MODE one of throw | kill | exit0 | hang | none | noclose (every
 * rank ends without closing its communicator); `sync` makes the
 * surviving ranks use the blocking `allReduceSync`. Rank F (default 1) prints
 * `FAILING_AT <Date.now()>` just before it fails; a survivor prints `T_DETECT <ms>` (from
 * entering the failing step's collective to the error) when it can (not when blocked: then
 * the side channel's worker ends it).
 */
import { createCommunicator } from "../../src/distributed/mod.ts";

const [mode = "throw", kArg = "5", sync = "async", fArg = "1"] = Deno.args;
const k = Number(kArg), failing = Number(fArg);
const comm = await createCommunicator("auto", { exitAfterFailureMs: 10_000 });
const buf = new Float32Array(1024);
const expected = (comm.size * (comm.size + 1)) / 2;
for (let step = 0; step < k + 20; step++) {
  comm.step = step;
  if (comm.rank === failing && step === k) {
    await new Promise((r) => setTimeout(r, 300)); // let the others enter the collective
    console.log(`FAILING_AT ${Date.now()}`);
    if (mode === "throw") throw new Error(`injected failure at step ${step}`);
    if (mode === "kill") Deno.kill(Deno.pid, "SIGKILL");
    if (mode === "exit0") Deno.exit(0);
    if (mode === "hang") await new Promise((r) => setTimeout(r, 60_000));
  }
  buf.fill(comm.rank + 1);
  const t0 = performance.now();
  try {
    if (sync === "sync" && comm.rank !== failing) comm.allReduceSync(buf, "sum");
    else await comm.allReduce(buf, "sum");
  } catch (err) {
    console.error(`T_DETECT ${(performance.now() - t0).toFixed(0)}`);
    throw err;
  }
  if (buf[0] !== expected) throw new Error(`bad sum ${buf[0]}`);
}
console.log(`rank ${comm.rank} done`);
if (mode !== "noclose") await comm.close();
