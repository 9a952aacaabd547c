/** `deno task finetune --run RUN_DIR --labels 1%|10%|N`: few-label fine-tuning vs its baselines. */
import { finetune } from "../pipeline/finetune.ts";
import { ArgsError, FINETUNE_COMMAND, helpText, parseArgs } from "./args.ts";
import { interruptSignal, runMain, stoppedExitCode } from "./main.ts";

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, FINETUNE_COMMAND);
    if (args.help) {
      console.log(helpText(FINETUNE_COMMAND));
      return 0;
    }
    if (!args.run) throw new ArgsError("--run RUN_DIR is required (see --help)");
    const log = (line: string) => console.error(line);
    const overrides = [...args.set];
    if (args.backend) overrides.push(`train.backend=${args.backend}`);
    const signal = interruptSignal(log);
    const r = await finetune({
      run: args.run,
      labels: args.labels,
      outDir: args.out,
      overrides,
      signal,
      log,
    });
    if (r.stopped) {
      log(`stopped; ${r.outDir} holds what was trained so far`);
      return stoppedExitCode(signal);
    }
    const pct = (x: number | undefined) => x === undefined ? "-" : `${(100 * x).toFixed(2)}%`;
    const rows: [string, { top1: number; top5: number } | undefined][] = [
      ["fine-tuned, pretrained encoder", r.pretrained],
      ...(r.random
        ? [["fine-tuned, random-init encoder", r.random] as [string, typeof r.random]]
        : []),
      ["linear probe, same labels", r.probe],
    ];
    console.log(
      `${r.subset.count} labels (${r.subset.spec}), test top-1 / top-5 on ${r.testCount} images:\n` +
        rows.map(([name, a]) => `  ${name.padEnd(32)} ${pct(a?.top1)} / ${pct(a?.top5)}`)
          .join("\n"),
    );
    console.log(`fine-tuning directory: ${r.outDir}`);
    if (r.reportPath) console.log(`report: ${r.reportPath}`);
  });
}
