/**
 * torchvision's weight initialization, computed in plain JavaScript from a seeded generator
 * (one stream per parameter name), so a model starts identically on every backend.
 */
import { Rng } from "../streams/rng.ts";

/** How a parameter starts. */
export type Init =
  | { kind: "kaimingNormalFanOut" }
  | { kind: "uniformFanIn"; fanIn: number }
  | { kind: "constant"; value: number };

/**
 * Initial values for a parameter of `shape` (this project's layouts: conv HWIO, linear
 * [in, out]). Kaiming normal with fan_out and ReLU gain for convs (std = sqrt(2 / (out * kh *
 * kw))), PyTorch's Linear default U(-1/sqrt(fan_in), 1/sqrt(fan_in)), or a constant.
 */
export function initialValues(
  shape: number[],
  init: Init,
  seed: number,
  name: string,
): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (init.kind) {
    case "constant":
      return out.fill(init.value);
    case "kaimingNormalFanOut": {
      if (shape.length !== 4) {
        throw new TypeError(
          `kaiming init of '${name}': expected an HWIO conv shape, got [${shape}]`,
        );
      }
      const fanOut = shape[0] * shape[1] * shape[3];
      return Rng.fromSeed(seed, name).fillNormal(out, Math.sqrt(2 / fanOut));
    }
    case "uniformFanIn": {
      const bound = 1 / Math.sqrt(init.fanIn);
      return Rng.fromSeed(seed, name).fillUniform(out, -bound, bound);
    }
  }
}
