/**
 * SimCLR self-supervised pretraining of image encoders (Chen et al. 2020) in TypeScript on Deno,
 * as a chain of WHATWG streams connected with backpressure: sources and decode, paired SimCLR
 * augmentation in a worker pool, batching, prefetch, forward/NT-Xent/backward, the optimizer
 * step. Compute is TensorFlow.js (`wasm` with the project's kernels, `native` oneDNN/OpenBLAS
 * through FFI, `webgpu`, `tensorflow`, `cpu`).
 *
 * This entry re-exports every module; each module also has its own subpath, so a program can
 * import just one part:
 *
 * | import                          | what it holds                                                       |
 * | ------------------------------- | ------------------------------------------------------------------- |
 * | `@simclr/streams/streams`       | generic stages, no ML: `parallelMap`, `batch`, `prefetch`, epochs   |
 * | `@simclr/streams/data`          | datasets (IDX, CIFAR, image folders, tar shards) and image decoding |
 * | `@simclr/streams/augment`       | SimCLR augmentation on pixel arrays, presets, paired views          |
 * | `@simclr/streams/model`         | ResNet encoders, projection head, weight files                      |
 * | `@simclr/streams/train`         | NT-Xent, LARS/SGD/AdamW, the train-step stages, `trainer`           |
 * | `@simclr/streams/eval`          | feature extraction, kNN monitor, linear probe                       |
 * | `@simclr/streams/config`        | YAML pipelines: schema, loading, `--set` overrides                  |
 * | `@simclr/streams/pipeline`      | the whole job: `pretrain`, run directories, `loadRunModel`          |
 * | `@simclr/streams/backend`       | choosing and starting a TensorFlow.js backend                       |
 * | `@simclr/streams/distributed`   | the communicator for several processes (single, MPI)                |
 * | `@simclr/streams/report`        | the HTML run report                                                 |
 * | `@simclr/streams/search`        | embeddings on disk (`.npy`) and exact nearest neighbours            |
 *
 * The training path: `loadPipeline` reads a YAML pipeline (with `--set`-style overrides) and
 * `pretrain(config)` runs the job (input, training through `trainer`, checkpoints, evaluation,
 * report). To compose the stages yourself, `trainer({ model, optimizer, learningRate, stages })`
 * is the training sink, and `forwardBackward` / `optimizerStep` are its parts. The repository's
 * `examples/` folder has runnable programs: a custom stage before the optimizer step, a
 * pipeline over your own image folder, and features from a trained run's encoder.
 *
 * @example Load a pipeline with overrides
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPipeline } from "@simclr/streams";
 *
 * // The default pipeline (pipelines/fashion-mnist.yaml) with two overrides, as `--set` takes them.
 * const cfg = await loadPipeline(undefined, {
 *   overrides: ["optim.epochs=1", "data.maxSamples=2048"],
 * });
 * assert.equal(cfg.data.dataset, "fashion-mnist");
 * assert.equal(cfg.optim.epochs, 1);
 * assert.equal(cfg.data.maxSamples, 2048);
 * assert.equal(cfg.optim.batchSize, 256); // from the file, untouched
 * ```
 * @module
 */

export * from "./src/backend/mod.ts";
export * from "./src/streams/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/augment/mod.ts";
export * from "./src/model/mod.ts";
export * from "./src/train/mod.ts";
export * from "./src/eval/mod.ts";
export * from "./src/config/mod.ts";
export * from "./src/report/mod.ts";
export * from "./src/search/mod.ts";
export * from "./src/distributed/mod.ts";
export * from "./src/pipeline/mod.ts";
