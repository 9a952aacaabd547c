/**
 * `deno task embed --run RUN_DIR --data PATH_OR_DATASET`: the encoder's features of every image,
 * streamed into a `.npy` matrix with a JSONL of keys.
 */
import { startBackend } from "../backend/start.ts";
import { embedDataset, embedSourceOf } from "../pipeline/embed.ts";
import { loadRunConfig, loadRunModel } from "../pipeline/load_run.ts";
import { ArgsError, EMBED_COMMAND, helpText, parseArgs } from "./args.ts";
import { runMain } from "./main.ts";
import { ProgressBar } from "../report/progress_bar.ts";

/** A non-negative integer flag value, or `undefined` when absent. */
function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new ArgsError(`--${name} must be an integer >= ${min}, got '${value}'`);
  }
  return n;
}

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, EMBED_COMMAND);
    if (args.help) {
      console.log(helpText(EMBED_COMMAND));
      return 0;
    }
    if (!args.run) throw new ArgsError("--run RUN_DIR is required (see --help)");
    if (!args.data) throw new ArgsError("--data PATH_OR_DATASET is required (see --help)");
    const batchSize = intFlag("batch", args.batch, 1);
    const workers = intFlag("workers", args.workers, 0);
    const log = (line: string) => console.error(line);
    const overrides = [
      ...(args.backend ? [`train.backend=${args.backend}`] : []),
      ...(args.decoder ? [`data.decoder=${args.decoder}`] : []),
    ];
    const cfg = await loadRunConfig(args.run, overrides);
    const source = await embedSourceOf(args.data, args.split, cfg.data);
    const backend = await startBackend(cfg.train.backend, { threads: cfg.train.threads });
    log(`backend: ${backend.name} (${backend.device})`);
    const { model, step } = await loadRunModel(args.run, cfg);
    const out = args.out ?? `${args.run}/embeddings.npy`;
    const what = source.split ? `${source.dataset}/${source.split}` : source.path;
    log(`embedding ${what} with ${model.encoder.name} of ${args.run} (step ${step})`);
    const bar = new ProgressBar();
    const t0 = performance.now();
    try {
      const { files, meta } = await embedDataset({
        model,
        cfg,
        run: args.run,
        step,
        source,
        out,
        projections: args.projections,
        batchSize,
        workers,
        onError: args["on-error"] as "fail" | "skip" | undefined,
        onProgress: (done, total) => {
          const s = (performance.now() - t0) / 1000;
          bar.update({
            head: "embed",
            unit: "images",
            epoch: 0,
            epochs: 1,
            step: done,
            totalSteps: total ?? 0,
            imagesPerSec: s > 0 ? done / s : undefined,
          });
        },
      });
      bar.done();
      const s = (performance.now() - t0) / 1000;
      for (const k of meta.skipped.slice(0, 20)) log(`skipped: ${k.error}`);
      if (meta.skipped.length > 20) log(`... ${meta.skipped.length - 20} more in ${files.meta}`);
      console.log(
        `embedded ${meta.rows} images (${meta.dim} features${
          meta.projectionDim ? `, ${meta.projectionDim} projections` : ""
        }) in ${s.toFixed(1)} s, ${
          (meta.rows / s).toFixed(1)
        } images/s; skipped ${meta.skipped.length}`,
      );
      console.log(`features: ${files.features}\nkeys: ${files.keys}\ndescription: ${files.meta}`);
      if (meta.projectionDim) console.log(`projections: ${files.projections}`);
    } finally {
      model.dispose();
    }
  });
}
