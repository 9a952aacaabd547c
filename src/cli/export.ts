/** `deno task export --run RUN_DIR`: the encoder as safetensors with torchvision's names. */
import { startBackend } from "../backend/start.ts";
import { saveTorchvisionWeights } from "../model/torchvision_weights.ts";
import { loadRunConfig, loadRunModel } from "../pipeline/load_run.ts";
import { runFiles } from "../pipeline/run_dir.ts";
import { ArgsError, EXPORT_COMMAND, helpText, parseArgs } from "./args.ts";
import { runMain } from "./main.ts";

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, EXPORT_COMMAND);
    if (args.help) {
      console.log(helpText(EXPORT_COMMAND));
      return 0;
    }
    if (!args.run) throw new ArgsError("--run RUN_DIR is required (see --help)");
    const cfg = await loadRunConfig(args.run);
    await startBackend("cpu"); // weights only: no compute
    const { model, step } = await loadRunModel(args.run, cfg);
    try {
      const out = args.out ?? runFiles(args.run).encoder;
      await saveTorchvisionWeights(model.encoder, out);
      console.log(`exported ${model.encoder.name} (step ${step}) to ${out}`);
    } finally {
      model.dispose();
    }
  });
}
