/** `deno task pretrain`: SimCLR pretraining from a YAML pipeline, then evaluation and report. */
import { loadPipeline } from "../config/load.ts";
import { loadRunConfig } from "../pipeline/load_run.ts";
import { pretrain } from "../pipeline/pretrain.ts";
import { resumeTarget } from "../pipeline/run_dir.ts";
import { ArgsError, helpText, parseArgs, PRETRAIN_COMMAND } from "./args.ts";
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
    if (args.resume && args.config) {
      throw new ArgsError(
        "--resume continues a run with its own config.yaml, so --config cannot be used with " +
          "it; to train with another config, start a new run (--config alone)",
      );
    }
    // a resume may change only some keys (see RESUME_CHANGEABLE): pretrain() checks them
    const target = args.resume ? await resumeTarget(args.resume) : undefined;
    const cfg = target
      ? await loadRunConfig(target.runDir, overrides)
      : await loadPipeline(args.config, { overrides });
    const signal = interruptSignal(log);
    const result = await pretrain(cfg, {
      runDir: target?.runDir,
      resume: target !== undefined,
      checkpoint: target?.checkpoint,
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
