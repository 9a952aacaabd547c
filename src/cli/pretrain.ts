/** `deno task pretrain`: SimCLR pretraining from a YAML pipeline, then evaluation and report. */
import { loadPipeline } from "../config/load.ts";
import { pretrain } from "../pipeline/pretrain.ts";
import { runFiles } from "../pipeline/run_dir.ts";
import { helpText, parseArgs, PRETRAIN_COMMAND } from "./args.ts";
import { interruptSignal, runMain, stoppedExitCode } from "./main.ts";

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, PRETRAIN_COMMAND);
    if (args.help) {
      console.log(helpText(PRETRAIN_COMMAND));
      return 0;
    }
    const log = (line: string) => console.error(line);
    const overrides = [...args.set];
    if (args.backend) overrides.push(`train.backend=${args.backend}`);
    if (args.dist) overrides.push(`dist.mode=${args.dist}`);
    const file = args.resume ? runFiles(args.resume).config : args.config;
    const cfg = await loadPipeline(file, { overrides });
    const signal = interruptSignal(log);
    const result = await pretrain(cfg, {
      runDir: args.resume,
      resume: Boolean(args.resume),
      signal,
    });
    if (result.stopped) {
      log(`stopped; resume with: deno task pretrain --resume ${result.runDir}`);
      return stoppedExitCode(signal);
    }
    const e = result.evaluation;
    if (e) {
      const pct = (x: number | undefined) => x === undefined ? "-" : `${(100 * x).toFixed(2)}%`;
      console.log(
        `kNN top-1 ${pct(e.pretrained.knnTop1)} (random init ${pct(e.random?.knnTop1)}), ` +
          `linear top-1 ${pct(e.pretrained.linearTop1)} ` +
          `(random init ${pct(e.random?.linearTop1)})`,
      );
    }
    console.log(`run directory: ${result.runDir}`);
    if (result.reportPath) console.log(`report: ${result.reportPath}`);
  });
}
