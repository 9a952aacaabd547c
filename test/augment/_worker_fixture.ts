/// <reference lib="deno.worker" />
/** Test worker: builds the augment mapper from its init and maps one item. */
import { createMapper, transferablesOf } from "../../src/augment/worker.ts";

self.onmessage = (e: MessageEvent) => {
  const pair = createMapper(e.data.init)(e.data.item);
  self.postMessage(pair, transferablesOf(pair));
};
