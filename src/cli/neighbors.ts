/**
 * `deno task neighbors --embeddings FILE (--query IMAGE | --key KEY) [-k 10]`: the k nearest rows
 * by cosine similarity, printed and shown on a self-contained HTML page.
 */
import { startBackend } from "../backend/start.ts";
import type { DecoderName } from "../data/decoders.ts";
import { loadRunConfig, loadRunModel } from "../pipeline/load_run.ts";
import {
  embedImageFile,
  fetchSamples,
  nearestRows,
  readRow,
  rowOfKey,
  thumbnail,
} from "../pipeline/neighbors.ts";
import { renderNeighborsPage } from "../report/neighbors_page.ts";
import { embeddingFiles, readEmbeddingKeys, readEmbeddingMeta } from "../search/embedding_files.ts";
import { ArgsError, helpText, NEIGHBORS_COMMAND, parseArgs } from "./args.ts";
import { runMain } from "./main.ts";

if (import.meta.main) {
  await runMain(async () => {
    const args = parseArgs(Deno.args, NEIGHBORS_COMMAND);
    if (args.help) {
      console.log(helpText(NEIGHBORS_COMMAND));
      return 0;
    }
    if (!args.embeddings) throw new ArgsError("--embeddings FILE is required (see --help)");
    if ((args.query === undefined) === (args.key === undefined)) {
      throw new ArgsError("give exactly one of --query IMAGE and --key KEY (see --help)");
    }
    const k = Number(args.k ?? 10);
    if (!Number.isInteger(k) || k < 1) {
      throw new ArgsError(`-k must be an integer >= 1, got '${args.k}'`);
    }
    const log = (line: string) => console.error(line);
    const features = embeddingFiles(args.embeddings).features;
    const meta = await readEmbeddingMeta(features);
    const keys = await readEmbeddingKeys(features);

    let query: Float32Array;
    let exclude = -1;
    let queryKey: string;
    let queryLabel: number | undefined;
    if (args.key !== undefined) {
      exclude = rowOfKey(keys, args.key);
      query = await readRow(features, exclude);
      queryKey = args.key;
      queryLabel = keys[exclude].label;
    } else {
      const run = args.run ?? meta.run;
      const overrides = args.backend ? [`train.backend=${args.backend}`] : [];
      const cfg = await loadRunConfig(run, overrides);
      const backend = await startBackend(cfg.train.backend, { threads: cfg.train.threads });
      log(`backend: ${backend.name} (${backend.device})`);
      const { model, step } = await loadRunModel(run, cfg);
      try {
        if (step !== meta.step || model.encoder.featureDim !== meta.dim) {
          log(
            `warning: ${run} is at step ${step} (dim ${model.encoder.featureDim}); the ` +
              `embedding was made at step ${meta.step} (dim ${meta.dim})`,
          );
        }
        query = await embedImageFile(model, cfg, args.query!, meta.view);
      } finally {
        model.dispose();
      }
      queryKey = args.query!;
    }

    const t0 = performance.now();
    const hits = await nearestRows(features, keys, query, k, exclude);
    const ms = performance.now() - t0;
    const className = (label?: number) => label === undefined ? undefined : String(label);
    console.log(`query: ${queryKey}${queryLabel !== undefined ? ` (label ${queryLabel})` : ""}`);
    console.log("rank  similarity  key");
    for (const [i, h] of hits.entries()) {
      const label = h.key.label !== undefined ? `  (label ${h.key.label})` : "";
      console.log(
        `${String(i + 1).padStart(4)}  ${
          h.similarity.toFixed(4).padStart(10)
        }  ${h.key.key}${label}`,
      );
    }
    log(`searched ${keys.length} rows x ${meta.dim} in ${ms.toFixed(0)} ms`);

    const decoder = meta.decoder as DecoderName;
    const samples = await fetchSamples(meta.source, hits.map((h) => h.key));
    const queryThumb = args.key !== undefined
      ? await thumbnail((await fetchSamples(meta.source, [keys[exclude]])).get(args.key)!, decoder)
      : await thumbnail(
        await Deno.readFile(args.query!).then(
          (bytes) => ({ key: args.query!, bytes }),
          (e: Error) => e,
        ),
        decoder,
      );
    const html = renderNeighborsPage({
      title: `Nearest neighbours of ${queryKey}`,
      subtitle: `${features}: ${keys.length} rows x ${meta.dim} (${meta.encoder} of ${meta.run}, ` +
        `step ${meta.step}); exact cosine search`,
      query: { key: queryKey, label: className(queryLabel), thumbnail: queryThumb },
      neighbors: await Promise.all(hits.map(async (h, i) => ({
        rank: i + 1,
        key: h.key.key,
        similarity: h.similarity,
        label: className(h.key.label),
        thumbnail: await thumbnail(samples.get(h.key.key)!, decoder),
      }))),
    });
    const page = args.html ?? features.replace(/\.npy$/, ".neighbors.html");
    await Deno.writeTextFile(page, html);
    console.log(`page: ${page}`);
  });
}
