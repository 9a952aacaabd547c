/**
 * Named parameters on TensorFlow.js: each is a `tf.Variable` with a stable name (torchvision's
 * naming), tags (used by weight decay and LARS exclusions) and a layout (for weight export).
 */
import * as tf from "@tensorflow/tfjs";
import { type Init, initialValues } from "./init.ts";

/**
 * Tags on a parameter. `weight`: conv/linear weights. `bias`: linear biases. `bn`: batch-norm
 * scale and shift. `buffer`: not trained (BN running statistics and counters).
 */
export type ParamTag = "weight" | "bias" | "bn" | "buffer";

/** How a tensor is laid out here, which decides its torchvision layout on export. */
export type ParamLayout = "hwio" | "io" | "plain";

/**
 * One named parameter or buffer of a {@link ParamStore}: its name (torchvision's naming under the
 * store's prefix), the `tf.Variable` holding it, its tags and layout.
 *
 * @example Read a parameter's name, shape and tags
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { type Param, resnet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = resnet("resnet18", { widthMultiplier: 0.125 });
 * const p: Param = encoder.store.get("encoder.bn1.running_mean");
 * assert.deepEqual(p.variable.shape, [8]);
 * assert.equal(p.trainable, false);
 * assert.ok(p.tags.has("buffer"));
 * encoder.store.dispose();
 * ```
 */
export interface Param {
  /** The parameter's name, e.g. `encoder.layer1.0.conv1.weight`. */
  readonly name: string;
  /** Its value (trainable unless it is a buffer). */
  readonly variable: tf.Variable;
  /** `weight`, `bias`, `bn` or `buffer`: weight decay and LARS exclusions use them. */
  readonly tags: ReadonlySet<ParamTag>;
  /** False for buffers (BN running statistics and counters). */
  readonly trainable: boolean;
  /** `hwio` (conv), `io` (linear) or `plain`: decides the torchvision layout on export. */
  readonly layout: ParamLayout;
}

/**
 * The parameters of a model, by name, in creation order; layers create theirs in it, seeded per
 * name, so the same seed gives the same initial weights. {@link saveWeights} and
 * {@link loadWeights} write and read a whole store.
 *
 * @example List a model's parameters
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, ParamStore } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const model = createModel({ encoder: "small", smallWidths: { stem: 2, stages: [] } });
 * const store: ParamStore = model.store;
 * assert.equal(store.all()[0].name, "encoder.stem.conv.weight");
 * // stem conv 3x3x3x2 and BN; head.0 Linear 2x2 and head.1 BN; head.3 Linear 2x128 + bias
 * assert.equal(store.countTrainable(), 54 + 4 + 4 + 4 + 256 + 128);
 * assert.throws(() => store.get("encoder.stem.conv.wieght"), RangeError);
 * model.dispose();
 * ```
 */
export class ParamStore {
  readonly #params = new Map<string, Param>();
  readonly #byVariable = new Map<string, string>();

  /**
   * An empty store.
   *
   * @param seed Seeds every parameter's initial values (one stream per name).
   */
  constructor(readonly seed = 0) {}

  /** Creates a parameter; names must be unique within the store. */
  create(
    name: string,
    shape: number[],
    init: Init,
    tags: ParamTag[],
    layout: ParamLayout = "plain",
  ): Param {
    if (this.#params.has(name)) {
      throw new Error(`ParamStore: parameter '${name}' created twice (layer names must be unique)`);
    }
    const trainable = !tags.includes("buffer");
    const values = initialValues(shape, init, this.seed, name);
    const initial = tf.tensor(values, shape, "float32");
    const variable = tf.variable(initial, trainable); // copies: the initial tensor is ours to free
    initial.dispose();
    const param: Param = { name, variable, tags: new Set(tags), trainable, layout };
    this.#params.set(name, param);
    this.#byVariable.set(variable.name, name);
    return param;
  }

  /** The parameter called `name`; throws naming close matches when it is missing. */
  get(name: string): Param {
    const p = this.#params.get(name);
    if (!p) {
      const near = [...this.#params.keys()].filter((n) => n.endsWith(name.split(".").pop()!));
      throw new RangeError(
        `no parameter '${name}' in this model` +
          (near.length ? ` (similar: ${near.slice(0, 5).join(", ")})` : ""),
      );
    }
    return p;
  }

  /** True when a parameter called `name` exists. */
  has(name: string): boolean {
    return this.#params.has(name);
  }

  /** All parameters and buffers, in creation order. */
  all(): Param[] {
    return [...this.#params.values()];
  }

  /** The trainable parameters, in creation order. */
  trainable(): Param[] {
    return this.all().filter((p) => p.trainable);
  }

  /** The parameter name of a `tf.Variable` created by this store. */
  nameOfVariable(variableName: string): string | undefined {
    return this.#byVariable.get(variableName);
  }

  /** Number of trainable scalars (what torchvision's parameter count reports). */
  countTrainable(): number {
    return this.trainable().reduce((n, p) => n + p.variable.size, 0);
  }

  /** Frees every variable. The store is unusable afterwards. */
  dispose(): void {
    for (const p of this.#params.values()) p.variable.dispose();
    this.#params.clear();
    this.#byVariable.clear();
  }
}
