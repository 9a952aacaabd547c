import * as tf from "@tensorflow/tfjs";

/** Sets `tfName` as TensorFlow.js's backend and waits for it; throws if it did not take. */
export async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  await tf.ready();
  if (!ok || tf.getBackend() !== tfName) {
    throw new Error(`TensorFlow.js could not initialize its '${tfName}' backend`);
  }
}
