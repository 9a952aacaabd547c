/** The files of a run directory. */

/** Paths of the files a run writes under `runDir`. */
export function runFiles(runDir: string) {
  return {
    config: `${runDir}/config.yaml`,
    metrics: `${runDir}/metrics.jsonl`,
    checkpoint: `${runDir}/checkpoint.safetensors`,
    eval: `${runDir}/eval.json`,
    report: `${runDir}/report.html`,
    encoder: `${runDir}/encoder.safetensors`,
  };
}
