/** The flat gradient buffer of the fused all-reduce: one slot per parameter, names sorted. */

/**
 * One parameter's place in the flat buffer.
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
 * One flat `Float32Array` holding named arrays in a fixed order (names sorted by code unit), so
 * every rank lays out its gradients identically and one all-reduce averages them all. The
 * buffer is allocated once and reused; `view(name)` is the slot to write into and to read the
 * result from (no packing copy). `reduceStepGradients` (src/train/dist_hooks.ts) drives it.
 */
export class FlatPacker {
  /** Slots in buffer order (sorted names). */
  readonly slots: readonly FlatSlot[];
  /** Total number of floats. */
  readonly length: number;
  /** The reused flat buffer. */
  readonly buffer: Float32Array;
  #byName = new Map<string, FlatSlot>();

  /** `sizes`: the element count of each name. */
  constructor(sizes: Map<string, number> | Record<string, number>) {
    const list = sizes instanceof Map ? [...sizes.entries()] : Object.entries(sizes);
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
    if (!slot) throw new RangeError(`flat buffer has no parameter '${name}'`);
    return this.buffer.subarray(slot.offset, slot.offset + slot.length);
  }
}
