/** `deno task eval --run RUN_DIR`: kNN and linear probe of a run's encoder vs random init. */
import { startBackend } from "../backend/start.ts";
import { openDataset, type Split } from "../data/registry.ts";
import { evaluateRun } from "../pipeline/evaluate_run.ts";
import { limitDataset } from "../pipeline/input.ts";
import { loadRunConfig, loadRunModel } from "../pipeline/load_run.ts";
import { writeReport } from "../pipeline/report.ts";
import { runFiles } from "../pipeline/run_dir.ts";
import { SkippedFile } from "../pipeline/_skipped_file.ts";
import { writeFileAtomic } from "../streams/atomic_write.ts";
import { ArgsError, EVAL_COMMAND, helpText, parseArgs } from "./args.ts";
import { runMain } from "./main.ts";

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, EVAL_COMMAND);
    if (args.help) {
      console.log(helpText(EVAL_COMMAND));
      return 0;
    }
    if (!args.run) throw new ArgsError("--run RUN_DIR is required (see --help)");
    const log = (line: string) => console.error(line);
    const overrides = [...args.set];
    if (args.backend) overrides.push(`train.backend=${args.backend}`);
    const cfg = await loadRunConfig(args.run, overrides);
    const backend = await startBackend(cfg.train.backend, { threads: cfg.train.threads });
    log(`backend: ${backend.name} (${backend.device})`);
    const { model, step } = await loadRunModel(args.run, cfg);
    log(`evaluating ${args.run} at step ${step}`);
    const files = runFiles(args.run);
    const skipped = await SkippedFile.open(files.skipped);
    try {
      // `deno task eval` evaluates even when the run's eval.enabled is false: it was asked to
      const evaluation = await evaluateRun(cfg, model, {
        log,
        onSkip: (split, problem) => skipped.record(`eval:${split}`, problem),
      });
      await skipped.flush();
      if (skipped.count > 0) log(`skipped samples are listed in ${files.skipped}`);
      await writeFileAtomic(
        files.eval,
        JSON.stringify(evaluation, null, 2) + "\n",
        "evaluation results",
      );
      const opened = await openDataset(cfg.data.dataset, {
        path: cfg.data.path,
        split: cfg.data.split as Split,
        maxFileBytes: cfg.data.maxFileBytes,
      });
      const dataset = opened.kind === "indexed"
        ? { ...opened, dataset: limitDataset(opened.dataset, cfg.data.maxSamples) }
        : opened;
      const report = await writeReport(cfg, args.run, { evaluation, backend, dataset });
      console.log(`eval: ${files.eval}\nreport: ${report}`);
    } finally {
      model.dispose();
      await skipped.close().catch(() => {});
    }
  });
}
