import type { Communicator, ReduceOp } from "./communicator.ts";

/** Gradients (or any named float arrays), by parameter name. */
export type GradientMap = Map<string, Float32Array> | Record<string, Float32Array>;

function entries(grads: GradientMap): [string, Float32Array][] {
  return grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
}

/** One parameter's place in the flat buffer. */
export interface FlatSlot {
  name: string;
  offset: number;
  length: number;
}

/**
 * Packs named arrays into one flat `Float32Array` in a fixed order (names sorted by code
 * unit), so every rank lays out its gradients identically and one all-reduce averages them
 * all. The flat buffer is allocated once and reused; `view(name)` gives the slot to write
 * into directly (no packing copy at all).
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
