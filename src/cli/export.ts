/**
 * `deno task export --run RUN_DIR [--format torchvision|tfjs]`: the encoder as safetensors with
 * torchvision's names, or as a TensorFlow.js LayersModel folder.
 */
import { startBackend } from "../backend/start.ts";
import { saveTorchvisionWeights } from "../model/torchvision_weights.ts";
import { exportTfjs } from "../pipeline/export_tfjs.ts";
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
      if (args.format === "tfjs") {
        const dir = args.out ?? runFiles(args.run).tfjs;
        const saved = await exportTfjs(cfg, model, args.run, step, dir);
        const { size, channels, mean, std } = saved.metadata.input;
        console.log(
          `exported ${model.encoder.name} (step ${step}) as a TensorFlow.js LayersModel to ` +
            `${saved.modelJson} + ${saved.shards.length} weight shard(s), ${saved.bytes} bytes\n` +
            `input [batch, ${size}, ${size}, ${channels}] NHWC, (pixel / 255 - mean) / std with ` +
            `mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)}; output h ` +
            `[batch, ${model.encoder.featureDim}]`,
        );
      } else {
        const out = args.out ?? runFiles(args.run).encoder;
        await saveTorchvisionWeights(model.encoder, out);
        console.log(`exported ${model.encoder.name} (step ${step}) to ${out}`);
      }
    } finally {
      model.dispose();
    }
  });
}
