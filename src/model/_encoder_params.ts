/** An encoder's own parameters within a store shared with the head. */
import type { Encoder } from "./encoder.ts";
import type { Param } from "./params.ts";

/** The encoder's own parameters and statistics (not the head's), in store order. */
export function encoderParams(encoder: Encoder): Param[] {
  return encoder.store.all().filter((p) => p.name.startsWith(encoder.prefix));
}
