/** The error of a damaged checkpoint file. */

/**
 * Thrown when a checkpoint file is damaged or truncated (checksum or format).
 *
 * @example A truncated file
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, CorruptCheckpointError, Lars, loadCheckpoint, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/last.ckpt`;
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new Lars(), learningRate: () => 0.1, checkpoint: { path, every: 1 },
 * }));
 * const bytes = await Deno.readFile(path);
 * await Deno.writeFile(path, bytes.subarray(0, bytes.length - 10));
 * await assert.rejects(() => loadCheckpoint(path), (err) => err instanceof CorruptCheckpointError && err.path === path);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CorruptCheckpointError extends Error {
  /** `path` is the damaged file, `why` what is wrong with it. */
  constructor(readonly path: string, readonly why: string) {
    super(
      `checkpoint ${path} is corrupt (${why}); it was damaged or truncated after writing: ` +
        `resume from an earlier checkpoint or start the run again`,
    );
    this.name = "CorruptCheckpointError";
  }
}
