import type { Communicator, ReduceOp } from "./communicator.ts";

/**
 * Gradients (or any named float arrays), by parameter name.
 *
 * @example
 * ```ts
 * const grads: GradientMap = { "encoder.stem.conv.weight": new Float32Array(864) };
 * ```
 */
export type GradientMap = Map<string, Float32Array> | Record<string, Float32Array>;

function entries(grads: GradientMap): [string, Float32Array][] {
  return grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
}

/**
 * One parameter's place in the flat buffer.
 *
 * @example
 * ```ts
 * const slot: FlatSlot = new FlatPacker({ b: 2, a: 3 }).slots[1]; // { name: "b", offset: 3, length: 2 }
 * ```
 */
export interface FlatSlot {
  /** Parameter name. */
  name: string;
  /** First float of the parameter in the flat buffer. */
  offset: number;
  /** Number of floats. */
  length: number;
}

/**
 * Packs named arrays into one flat `Float32Array` in a fixed order (names sorted by code
 * unit), so every rank lays out its gradients identically and one all-reduce averages them
 * all. The flat buffer is allocated once and reused; `view(name)` gives the slot to write
 * into directly (no packing copy at all).
 *
 * @example
 * ```ts
 * const packer = new FlatPacker({ "b.weight": 6, "a.bias": 2 }); // layout: a.bias, b.weight
 * packer.view("a.bias").set([0.1, 0.2]); // write gradients in place...
 * packer.view("b.weight").set(new Float32Array(6));
 * await comm.allReduce(packer.buffer, "mean"); // ...one fused all-reduce
 * const averaged = packer.unpack(); // Map of views, no copies
 * ```
 */
export class FlatPacker {
  /** Slots in buffer order (sorted names). */
  readonly slots: readonly FlatSlot[];
  /** Total number of floats. */
  readonly length: number;
  /** The reused flat buffer. */
  readonly buffer: Float32Array;
  #byName = new Map<string, FlatSlot>();

  /** `shapes`: element count (or an array of that length) per name. */
  constructor(shapes: Map<string, number> | Record<string, number> | GradientMap) {
    const list = (shapes instanceof Map ? [...shapes.entries()] : Object.entries(shapes)).map((
      [name, v],
    ) => [name, typeof v === "number" ? v : (v as Float32Array).length] as const);
    list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let offset = 0;
    const slots: FlatSlot[] = [];
    for (const [name, length] of list) {
      const slot = { name, offset, length };
      slots.push(slot);
      this.#byName.set(name, slot);
      offset += length;
    }
    this.slots = slots;
    this.length = offset;
    this.buffer = new Float32Array(offset);
  }

  /** The part of the flat buffer that holds `name` (a view, not a copy). */
  view(name: string): Float32Array {
    const slot = this.#byName.get(name);
    if (!slot) throw new Error(`flat buffer has no parameter '${name}'`);
    return this.buffer.subarray(slot.offset, slot.offset + slot.length);
  }

  /** Copies `grads` into the flat buffer (every name must match, with the same length). */
  pack(grads: GradientMap): Float32Array {
    const list = entries(grads);
    if (list.length !== this.slots.length) {
      throw new Error(`expected ${this.slots.length} arrays, got ${list.length}`);
    }
    for (const [name, data] of list) {
      const slot = this.#byName.get(name);
      if (!slot) throw new Error(`flat buffer has no parameter '${name}'`);
      if (data.length !== slot.length) {
        throw new Error(`'${name}' has ${data.length} elements, expected ${slot.length}`);
      }
      this.buffer.set(data, slot.offset);
    }
    return this.buffer;
  }

  /** Views into the flat buffer by name, in buffer order (no copies). */
  unpack(): Map<string, Float32Array> {
    return new Map(this.slots.map((s) => [s.name, this.view(s.name)]));
  }

  /** Copies the flat buffer back into `grads` (in place). */
  unpackInto(grads: GradientMap): void {
    for (const [name, data] of entries(grads)) data.set(this.view(name));
  }
}

/**
 * Averages (or sums) named gradients across ranks with ONE fused all-reduce of a flat
 * buffer, then writes the results back into the given arrays.
 *
 * @example
 * ```ts
 * const grads = { w: new Float32Array([1, 2]), b: new Float32Array([3]) };
 * const packer = new FlatPacker(grads); // build once, reuse every step
 * await allReduceGradients(comm, grads, "mean", packer);
 * ```
 */
export async function allReduceGradients(
  comm: Communicator,
  grads: GradientMap,
  op: ReduceOp = "mean",
  packer: FlatPacker = new FlatPacker(grads),
): Promise<void> {
  packer.pack(grads);
  await comm.allReduce(packer.buffer, op);
  packer.unpackInto(grads);
}
