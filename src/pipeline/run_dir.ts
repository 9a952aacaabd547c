/** The files of a run directory. */

/** The files of one run directory. */
export interface RunFiles {
  /** The resolved pipeline config. */
  config: string;
  /** One JSON record per logged step. */
  metrics: string;
  /** The last checkpoint (model, optimizer, schedule and data position). */
  checkpoint: string;
  /** Evaluation results. */
  eval: string;
  /** The self-contained HTML report. */
  report: string;
  /** The exported encoder (torchvision names). */
  encoder: string;
  /** The encoder as a TensorFlow.js LayersModel (a folder: model.json + weight shards). */
  tfjs: string;
}

/** Paths of the files a run writes under `runDir`. */
export function runFiles(runDir: string): RunFiles {
  return {
    config: `${runDir}/config.yaml`,
    metrics: `${runDir}/metrics.jsonl`,
    checkpoint: `${runDir}/checkpoint.safetensors`,
    eval: `${runDir}/eval.json`,
    report: `${runDir}/report.html`,
    encoder: `${runDir}/encoder.safetensors`,
    tfjs: `${runDir}/tfjs`,
  };
}
